"""Appointments in General Practice (GPAD).

Two layouts from the same NHS England publication:

* the **Practice Level Crosstab** (one month; practice x HCP type x mode x national
  category x booking interval x status) -> kind ``appointments``;
* the **Regional CSVs** (sub-ICB x month x status x HCP type x mode x interval, a rolling
  window of months) -> kind ``subicb_appointments``.

Labels differ between the two and over time (``Video Conference/Online`` vs
``Video/Online``, ``Unknown / Data Issue`` vs ``Unknown / Data Quality``, double spaces in
``8  to 14 Days``), so every label goes through :func:`~gpworkforce.ingest.text.norm_key`
before it is mapped to a nomenclature code. Rows that share a key after mapping (e.g. a
practice listed once per clinical-system supplier) are summed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gpworkforce.frames import CATEGORY_CODES, FRAMES, INCONSISTENT_MAPPING, UNMAPPED
from gpworkforce.ingest.cells import check_unique, fmt_int, map_categorical, ordered, single_value, to_number
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.files import open_source, read_header
from gpworkforce.ingest.periods import parse_months
from gpworkforce.ingest.problems import ProblemLog, constant
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.text import clean_code, header_key
from gpworkforce.nomenclature import (
    APPT_MODES,
    APPT_STATUSES,
    BOOKING_INTERVALS,
    HCP_TYPES,
    NHS_CATEGORY_TO_CODE,
    UNCATEGORISED_NHS_NAMES,
)

KIND = "appointments"
SUBICB_KIND = "subicb_appointments"

#: Published label -> code; matching ignores case, repeated spaces and spaces around '/'.
CATEGORY_LABELS: dict[str, str] = {
    **NHS_CATEGORY_TO_CODE,
    UNCATEGORISED_NHS_NAMES[0]: INCONSISTENT_MAPPING,
    UNCATEGORISED_NHS_NAMES[1]: UNMAPPED,
}
HCP_LABELS: dict[str, str] = {"GP": "gp", "Other Practice staff": "other", "Unknown": "unknown"}
MODE_LABELS: dict[str, str] = {
    "Face-to-Face": "face_to_face",
    "Telephone": "telephone",
    "Video Conference/Online": "video_online",
    "Video/Online": "video_online",
    "Home Visit": "home_visit",
    "Unknown": "unknown",
}
INTERVAL_LABELS: dict[str, str] = {
    "Same Day": "same_day",
    "1 Day": "1_day",
    "2 to 7 Days": "2_7_days",
    "8 to 14 Days": "8_14_days",
    "15 to 21 Days": "15_21_days",
    "22 to 28 Days": "22_28_days",
    "More than 28 Days": "over_28_days",
    "Unknown / Data Issue": "unknown",
    "Unknown / Data Quality": "unknown",
}
STATUS_LABELS: dict[str, str] = {"Attended": "attended", "DNA": "dna", "Unknown": "unknown"}

#: Practice Level Crosstab header -> canonical.
COLUMN_MAP: dict[str, str] = {
    "APPOINTMENT_MONTH_START_DATE": "month",
    "APPOINTMENT_MONTH": "month",
    "GP_CODE": "practice_code",
    "HCP_TYPE": "hcp_type",
    "APPT_MODE": "mode",
    "NATIONAL_CATEGORY": "category",
    "TIME_BETWEEN_BOOK_AND_APPT": "interval",
    "COUNT_OF_APPOINTMENTS": "appointments",
    "APPT_STATUS": "status",
    "SUB_ICB_LOCATION_CODE": "sub_icb_code",
}
REQUIRED = ("month", "practice_code", "hcp_type", "mode", "category", "interval", "appointments", "status")
KEYS = FRAMES[KIND].keys

#: Regional CSV (sub-ICB monthly series) header -> canonical. CCG-era files named CCGs.
SUBICB_COLUMN_MAP: dict[str, str] = {
    "SUB_ICB_LOCATION_CODE": "sub_icb_code",
    "CCG_CODE": "sub_icb_code",
    "APPOINTMENT_MONTH": "month",
    "APPT_STATUS": "status",
    "HCP_TYPE": "hcp_type",
    "APPT_MODE": "mode",
    "TIME_BETWEEN_BOOK_AND_APPT": "interval",
    "COUNT_OF_APPOINTMENTS": "appointments",
}
SUBICB_REQUIRED = ("sub_icb_code", "month", "status", "hcp_type", "mode", "interval", "appointments")
SUBICB_KEYS = FRAMES[SUBICB_KIND].keys

_LABELS = {
    "hcp_type": (HCP_LABELS, HCP_TYPES, "HCP type"),
    "mode": (MODE_LABELS, APPT_MODES, "appointment mode"),
    "category": (CATEGORY_LABELS, CATEGORY_CODES, "national category"),
    "interval": (INTERVAL_LABELS, BOOKING_INTERVALS, "booking interval"),
    "status": (STATUS_LABELS, APPT_STATUSES, "appointment status"),
}


def _published(column_map: dict[str, str]) -> dict[str, str]:
    return {canonical: published for published, canonical in reversed(column_map.items())}


def is_crosstab(header: list[str]) -> bool:
    """Only the practice crosstab has a national category per row."""
    keys = {header_key(h) for h in header}
    return "NATIONAL_CATEGORY" in keys and "GP_CODE" in keys


def is_subicb_series(header: list[str]) -> bool:
    """The regional CSVs are keyed by sub-ICB (or CCG) and appointment month."""
    keys = {header_key(h) for h in header}
    return (
        "APPOINTMENT_MONTH" in keys
        and bool(keys & {"SUB_ICB_LOCATION_CODE", "CCG_CODE"})
        and ("NATIONAL_CATEGORY" not in keys)
    )


def read_appointments(path: Path | str) -> IngestResult:
    """Sniff the header and read either the practice crosstab or the sub-ICB series."""
    path = Path(path)
    header = read_header(path)
    if is_crosstab(header):
        return read_practice_crosstab(path)
    if is_subicb_series(header):
        return read_subicb_appointments(path)
    # Neither: let the crosstab reader name the missing column (and guess the file's kind).
    return read_practice_crosstab(path)


def _map_labels(
    frame: pd.DataFrame, columns: tuple[str, ...], problems: ProblemLog, published: dict[str, str]
) -> dict[str, pd.Categorical[str]]:
    mapped: dict[str, pd.Categorical[str]] = {}
    for column in columns:
        labels, codes, what = _LABELS[column]
        mapped[column] = map_categorical(frame, column, labels, codes, problems, published=published[column], what=what)
    return mapped


def _aggregate(frame: pd.DataFrame, keys: tuple[str, ...], counts: pd.Series) -> tuple[pd.DataFrame, int]:
    """Sum rows sharing a key and sort by key (text keys alphabetically, coded keys in
    nomenclature order). Done on integer codes with numpy: pandas groupby over six text
    keys is several times slower on the national files."""
    codes: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for key in keys:
        column = frame[key]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes.append(column.cat.codes.to_numpy().astype(np.int64))
            labels.append(np.asarray(column.cat.categories, dtype=object))
        else:
            factor_codes, factor_labels = pd.factorize(column, sort=True)
            codes.append(factor_codes.astype(np.int64))
            labels.append(np.asarray(factor_labels, dtype=object))
    combined = np.zeros(len(frame), dtype=np.int64)
    for code, label in zip(codes, labels, strict=True):
        combined = combined * max(len(label), 1) + code
    unique, inverse = np.unique(combined, return_inverse=True)
    sums = np.bincount(inverse, weights=counts.to_numpy(dtype=np.float64), minlength=len(unique))
    out: dict[str, pd.Series] = {}
    rest = unique
    decoded: list[np.ndarray] = []
    for label in reversed(labels):
        size = max(len(label), 1)
        decoded.append(rest % size)
        rest = rest // size
    for key, label, code in zip(keys, labels, reversed(decoded), strict=True):
        out[key] = pd.Series(label[code], dtype=str)
    result = pd.DataFrame(out)
    result["appointments"] = np.rint(sums).astype("int64")
    return result, len(frame) - len(result)


def _refuse_repeated_rows(
    frame: pd.DataFrame, keys: tuple[str, ...], problems: ProblemLog, published: dict[str, str]
) -> None:
    """A row that repeats another's labels exactly is a duplicated row, never summed.

    Rows whose labels differ as published but mean the same (``Video/Online`` beside
    ``Video Conference/Online``, ``NOV2025`` beside ``01NOV2025``) are the publisher's layout
    and are summed (the count is in the notes). Only checked when some rows were merged, which
    the real files never need (none in GPAD October 2025 nor in the sub-ICB series 2023-2025).
    """
    raw = pd.DataFrame({k: frame[k].str.strip().str.upper() for k in keys}, index=frame.index)
    check_unique(raw, list(keys), problems, published=published[keys[-1]], what="row (every label repeated)")
    problems.raise_if_any()


def read_practice_crosstab(path: Path | str) -> IngestResult:
    """Practice Level Crosstab -> ``appointments`` (one month per file)."""
    path = Path(path)
    file = path.name
    published = _published(COLUMN_MAP)
    frame, rows_read, _ = open_source(path, COLUMN_MAP, REQUIRED, kind=KIND, optional=("sub_icb_code",))
    problems = ProblemLog(file)
    months = parse_months(frame, "month", problems, published=published["month"])
    period = single_value(months[months != ""], problems, published=published["month"], what="appointment month")
    counts = to_number(
        frame,
        "appointments",
        problems,
        published=published["appointments"],
        integer=True,
        plausible=(KIND, "appointments"),
    )
    codes = clean_code(frame["practice_code"])
    problems.add_rows(codes == "", published["practice_code"], constant("empty practice code"))
    mapped = _map_labels(frame, ("hcp_type", "mode", "category", "interval", "status"), problems, published)
    problems.raise_if_any()

    keyed = pd.DataFrame({"practice_code": codes, **mapped}, index=frame.index)
    out, merged = _aggregate(keyed, KEYS, counts)
    if merged:
        _refuse_repeated_rows(frame, KEYS, problems, published)
    total = int(out["appointments"].sum())
    status = out.groupby("status")["appointments"].sum()
    uncategorised = int(out.loc[out["category"].isin([INCONSISTENT_MAPPING, UNMAPPED]), "appointments"].sum())
    coverage = f" in {frame['sub_icb_code'].nunique():,} sub-ICB locations" if "sub_icb_code" in frame else ""
    notes = [
        f"{out['practice_code'].nunique():,} practices{coverage}; {fmt_int(total)} appointments "
        f"(attended {fmt_int(status.get('attended', 0))}; DNA {fmt_int(status.get('dna', 0))}; "
        f"unknown status {fmt_int(status.get('unknown', 0))})",
        f"{fmt_int(uncategorised)} appointments ({uncategorised / max(total, 1):.1%}) have no usable category "
        "(Inconsistent Mapping / Unmapped); spread them pro rata, do not drop them",
    ]
    if merged:
        notes.append(f"summed {merged:,} rows that repeat a practice/type/mode/category/interval/status key")
    return IngestResult(KIND, out, period, file, rows_read, tuple(notes))


def read_subicb_appointments(path: Path | str) -> IngestResult:
    """Regional CSVs (sub-ICB x month series) -> ``subicb_appointments``."""
    path = Path(path)
    file = path.name
    published = _published(SUBICB_COLUMN_MAP)
    frame, rows_read, _ = open_source(path, SUBICB_COLUMN_MAP, SUBICB_REQUIRED, kind=SUBICB_KIND)
    problems = ProblemLog(file)
    months = parse_months(frame, "month", problems, published=published["month"])
    counts = to_number(
        frame,
        "appointments",
        problems,
        published=published["appointments"],
        integer=True,
        plausible=(SUBICB_KIND, "appointments"),
    )
    codes = clean_code(frame["sub_icb_code"])
    problems.add_rows(codes == "", published["sub_icb_code"], constant("empty sub-ICB code"))
    mapped = _map_labels(frame, ("hcp_type", "mode", "interval", "status"), problems, published)
    problems.raise_if_any()

    month_list = sorted(str(m) for m in months.unique())
    keyed = pd.DataFrame({"month": ordered(months, month_list), "sub_icb_code": codes, **mapped}, index=frame.index)
    out, merged = _aggregate(keyed, SUBICB_KEYS, counts)
    if merged:
        _refuse_repeated_rows(frame, SUBICB_KEYS, problems, published)
    if not month_list:
        raise IngestError(file, "no appointment months found", column=published["month"])
    period = month_list[0] if len(month_list) == 1 else f"{month_list[0]}..{month_list[-1]}"
    by_month = out.groupby("month")["appointments"].sum()
    latest = month_list[-1]
    notes = [
        f"{len(month_list)} months ({period}); {out['sub_icb_code'].nunique():,} sub-ICBs",
        f"latest month {latest}: {fmt_int(by_month[latest])} appointments"
        + (f"; previous {month_list[-2]}: {fmt_int(by_month[month_list[-2]])}" if len(month_list) > 1 else ""),
        "national: all sub-ICBs; no practice or national-category detail in this layout",
    ]
    if merged:
        notes.append(f"summed {merged:,} rows that repeat a month/sub-ICB/type/mode/interval/status key")
    return IngestResult(SUBICB_KIND, out, period, file, rows_read, tuple(notes))
