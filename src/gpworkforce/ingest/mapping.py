"""Practice -> PCN -> sub-ICB -> ICB -> region lookups.

Two published layouts carry the same hierarchy:

* the registration mapping CSV ``gp-reg-pat-prac-map`` (Patients Registered at a GP
  Practice), one row per practice, with postcodes and ONS codes, dated by ``EXTRACT_DATE``;
* the GPAD ``Mapping.csv`` shipped with the appointments crosstab (``GP_CODE`` ...), one row
  per practice *and clinical system supplier*, undated, without postcode or ONS codes.

Both give the canonical ``mapping`` frame; GPAD rows are de-duplicated by practice (and
rows that disagree on anything but the supplier are an error). ``PCN_CODE`` "U" means
"unallocated" and is kept as-is (``nomenclature.UNALLOCATED_PCN``); it is not a real PCN.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gpworkforce.frames import MAPPING_COLUMNS
from gpworkforce.ingest.cells import check_unique, single_value
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.files import open_source, read_header
from gpworkforce.ingest.periods import check_period, month_in_name, parse_months
from gpworkforce.ingest.problems import ProblemLog, constant, line_of
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.text import clean_code, clean_text, header_key
from gpworkforce.nomenclature import UNALLOCATED_PCN

KIND = "mapping"

COLUMNS: tuple[str, ...] = MAPPING_COLUMNS
CODE_COLUMNS = (
    "practice_code",
    "pcn_code",
    "sub_icb_code",
    "sub_icb_ons_code",
    "icb_code",
    "icb_ons_code",
    "region_code",
    "region_ons_code",
)

#: Registration mapping (``gp-reg-pat-prac-map``). Before July 2022 the same file named
#: CCGs and STPs, the predecessors (same codes for most areas) of sub-ICBs and ICBs.
COLUMN_MAP: dict[str, str] = {
    "EXTRACT_DATE": "extract_date",
    "PRACTICE_CODE": "practice_code",
    "PRACTICE_NAME": "practice_name",
    "PRACTICE_POSTCODE": "postcode",
    "PCN_CODE": "pcn_code",
    "PCN_NAME": "pcn_name",
    "ONS_SUB_ICB_LOCATION_CODE": "sub_icb_ons_code",
    "ONS_CCG_CODE": "sub_icb_ons_code",
    "SUB_ICB_LOCATION_CODE": "sub_icb_code",
    "CCG_CODE": "sub_icb_code",
    "SUB_ICB_LOCATION_NAME": "sub_icb_name",
    "CCG_NAME": "sub_icb_name",
    "ONS_ICB_CODE": "icb_ons_code",
    "ONS_STP_CODE": "icb_ons_code",
    "ICB_CODE": "icb_code",
    "STP_CODE": "icb_code",
    "ICB_NAME": "icb_name",
    "STP_NAME": "icb_name",
    "ONS_COMM_REGION_CODE": "region_ons_code",
    "COMM_REGION_CODE": "region_code",
    "COMM_REGION_NAME": "region_name",
}
REQUIRED = ("extract_date", "practice_code", "practice_name", "pcn_code", "sub_icb_code", "icb_code", "region_code")
OPTIONAL = tuple(c for c in COLUMNS if c not in REQUIRED)

#: GPAD ``Mapping.csv`` (inside the Practice Level Crosstab zip).
GPAD_COLUMN_MAP: dict[str, str] = {
    "GP_CODE": "practice_code",
    "GP_NAME": "practice_name",
    "SUPPLIER": "supplier",
    "PCN_CODE": "pcn_code",
    "PCN_NAME": "pcn_name",
    "SUB_ICB_LOCATION_CODE": "sub_icb_code",
    "SUB_ICB_LOCATION_NAME": "sub_icb_name",
    "CCG_CODE": "sub_icb_code",
    "CCG_NAME": "sub_icb_name",
    "ICB_CODE": "icb_code",
    "ICB_NAME": "icb_name",
    "STP_CODE": "icb_code",
    "STP_NAME": "icb_name",
    "REGION_CODE": "region_code",
    "REGION_NAME": "region_name",
}
GPAD_REQUIRED = ("practice_code", "practice_name", "pcn_code", "sub_icb_code", "icb_code", "region_code")
GPAD_OPTIONAL = ("supplier", "pcn_name", "sub_icb_name", "icb_name", "region_name")


def _published(column_map: dict[str, str]) -> dict[str, str]:
    return {canonical: published for published, canonical in reversed(column_map.items())}


def is_gpad_layout(header: list[str]) -> bool:
    """GPAD's mapping names practices ``GP_CODE``; the registration file ``PRACTICE_CODE``."""
    keys = {header_key(h) for h in header}
    return "GP_CODE" in keys and "PRACTICE_CODE" not in keys


def read_mapping(path: Path | str, period: str | None = None) -> IngestResult:
    """Read either mapping layout.

    ``period`` (``YYYY-MM``) is only needed for the GPAD layout, which is undated; without
    it the period comes from a ``_YYYY-MM`` in the file name, else it is None. For the
    registration layout ``EXTRACT_DATE`` wins and a disagreeing ``period`` is an error.
    """
    path = Path(path)
    header = read_header(path)
    if is_gpad_layout(header):
        return _read_gpad(path, period)
    return _read_registration(path, period)


def _finish(frame: pd.DataFrame, problems: ProblemLog, published: dict[str, str]) -> pd.DataFrame:
    for column in COLUMNS:
        if column not in frame:
            frame[column] = ""
        elif column == "postcode":
            frame[column] = clean_text(frame[column]).str.upper()
        elif column in CODE_COLUMNS:
            frame[column] = clean_code(frame[column])
        else:
            frame[column] = clean_text(frame[column])
    for column in ("practice_code", "pcn_code", "sub_icb_code", "icb_code", "region_code"):
        problems.add_rows(frame[column] == "", published[column], constant(f"empty {column.replace('_', ' ')}"))
    return frame


def _summary(frame: pd.DataFrame) -> tuple[str, ...]:
    unallocated = int((frame["pcn_code"] == UNALLOCATED_PCN).sum())
    return (
        f"{len(frame):,} practices; {frame['pcn_code'].nunique():,} PCN codes (incl. '{UNALLOCATED_PCN}' = "
        f"unallocated, {unallocated:,} practices); {frame['sub_icb_code'].nunique():,} sub-ICBs; "
        f"{frame['icb_code'].nunique():,} ICBs; {frame['region_code'].nunique():,} regions",
        f"PCN code '{UNALLOCATED_PCN}' spans several ICBs: it is a placeholder, not a PCN",
    )


def _read_registration(path: Path, period: str | None) -> IngestResult:
    file = path.name
    period = check_period(period, file=file)
    published = _published(COLUMN_MAP)
    frame, rows_read, _ = open_source(path, COLUMN_MAP, REQUIRED, kind=KIND, optional=OPTIONAL)
    problems = ProblemLog(file)
    months = parse_months(frame, "extract_date", problems, published=published["extract_date"])
    extract = single_value(months[months != ""], problems, published=published["extract_date"], what="extract month")
    frame = _finish(frame, problems, published)
    check_unique(frame, ["practice_code"], problems, published=published["practice_code"], what="practice")
    problems.raise_if_any()
    if period is not None and extract is not None and period != extract:
        raise IngestError(
            file, f"period {period} given but EXTRACT_DATE says {extract}", row=2, column=published["extract_date"]
        )
    out = frame[list(COLUMNS)].sort_values("practice_code").reset_index(drop=True)
    return IngestResult(KIND, out, extract or period, file, rows_read, _summary(out))


def _read_gpad(path: Path, period: str | None) -> IngestResult:
    file = path.name
    period = check_period(period, file=file) or month_in_name(file)
    published = _published(GPAD_COLUMN_MAP)
    frame, rows_read, _ = open_source(path, GPAD_COLUMN_MAP, GPAD_REQUIRED, kind=KIND, optional=GPAD_OPTIONAL)
    problems = ProblemLog(file)
    frame = _finish(frame, problems, published)
    problems.raise_if_any()
    # One row per clinical-system supplier: identical apart from SUPPLIER, so keep the first.
    distinct = frame.drop_duplicates(list(COLUMNS))
    clash = distinct["practice_code"].duplicated(keep="first")
    if clash.any():
        firsts: dict[str, dict[str, str]] = {
            str(row["practice_code"]): {c: str(row[c]) for c in COLUMNS}
            for row in distinct.drop_duplicates("practice_code").to_dict("records")
        }
        for label in distinct.index[clash.to_numpy()][:10]:
            row = {c: str(distinct.at[label, c]) for c in COLUMNS}
            first = firsts[row["practice_code"]]
            differs = [c for c in COLUMNS if row[c] != first[c]] or ["practice_code"]
            column = published.get(differs[0], differs[0])
            problems.add(
                line_of(label),
                column,
                f"practice {row['practice_code']} is listed again with a different {column} "
                f"('{row[differs[0]]}' vs '{first[differs[0]]}')",
            )
        problems.total += max(int(clash.sum()) - 10, 0)
        problems.raise_if_any()
    out = distinct[list(COLUMNS)].sort_values("practice_code").reset_index(drop=True)
    notes = (
        *_summary(out),
        f"GPAD layout: {rows_read:,} rows (one per practice and clinical-system supplier) -> {len(out):,} "
        "practices; no postcode or ONS codes in this layout",
        "period " + (f"{period}" if period else "unknown (not in the file; pass period='YYYY-MM')"),
    )
    return IngestResult(KIND, out, period, file, rows_read, notes)
