"""Practice workforce (FTE and headcount by staff group).

Two sources give the canonical ``workforce`` frame
(practice_code, staff, fte, headcount):

* **HEEC derived tables** (``workforce_year.csv`` by the Health Equity Evidence Centre):
  practice x financial-year means of the NHS England monthly practice CSVs. Third-party
  derived data, not an NHS publication; two versions with different columns exist.
* **NHS England GP Workforce "Practice Level - Detailed" CSV** (monthly; 2023+ layout, and
  the older CCG-era layout documented in the September 2019 definitions, where the
  qualified-permanent GP columns are ``EXRL`` instead of ``EXTGL``). It also gives GP
  headcount by age band (kind ``gp_age``), which nothing else here has.

Staff groups: ``gp`` = qualified permanent GPs (``TOTAL_GP_EXTGL``), ``gp_locum_trainee`` =
all GPs minus those (training grades and locums), ``nurse``, ``dpc``, ``admin``.
NHS ``NA`` / ``ND`` mean "no valid records"; such cells are missing, never zero, and the
practice/staff row is left out of the frame (notes say how many).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gpworkforce.frames import GP_AGE_BANDS, WORKFORCE_STAFF
from gpworkforce.ingest.cells import as_text, check_unique, fmt_int, ordered, to_number
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.files import open_source, read_header
from gpworkforce.ingest.periods import check_period, month_in_name
from gpworkforce.ingest.problems import ProblemLog, constant
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.text import clean_code, header_key
from gpworkforce.ingest.workforce_detailed import GP_AGE_SUFFIXES, age_columns, detailed_results, role_columns

KIND = "workforce"
GP_AGE_KIND = "gp_age"

#: NHS England markers for "no valid records" (``NA`` from Feb 2023, ``ND`` before).
MISSING_MARKERS: tuple[str, ...] = ("NA", "ND")

HEEC_NOTE = (
    "third-party derived data: Health Equity Evidence Centre (HEEC) practice x financial-year means of "
    "NHS England GP Workforce monthly practice CSVs; not an NHS publication"
)


def _measure(column: str) -> tuple[str, str]:
    """Which plausible range (``reference/import_ranges.csv``) a wide workforce column is held to."""
    if column.startswith("age_"):
        return (GP_AGE_KIND, "headcount")
    return (KIND, "fte" if column.endswith("_fte") or "_FTE" in column else "headcount")


# --- HEEC ------------------------------------------------------------------------------

#: HEEC header -> canonical. ``TOTAL_LOCUUM_TRN`` is HEEC's spelling (sic).
HEEC_COLUMN_MAP: dict[str, str] = {
    "Practice.Code": "practice_code",
    "Year": "year",
    "TOTAL_GP_EXTGL_FTE": "gp_fte",
    "TOTAL_GP_EXTGL_HC": "gp_hc",
    "TOTAL_LOCUUM_TRN_FTE": "gp_locum_trainee_fte",
    "TOTAL_LOCUUM_TRN_HC": "gp_locum_trainee_hc",
    "TOTAL_NURSES_FTE": "nurse_fte",
    "TOTAL_NURSES_HC": "nurse_hc",
    "TOTAL_DPC_FTE": "dpc_fte",
    "TOTAL_DPC_HC": "dpc_hc",
    "TOTAL_ADMIN_FTE": "admin_fte",
    "TOTAL_ADMIN_HC": "admin_hc",
}
HEEC_REQUIRED = ("practice_code", "year", "gp_fte")
_HEEC_PUBLISHED = {canonical: published for published, canonical in reversed(HEEC_COLUMN_MAP.items())}

#: What each known HEEC version says about coverage, keyed by whether it has nurse columns
#: (the 2025 version) or not (the 2024 version). Source: the shared data README.
_HEEC_COVERAGE: dict[bool, dict[int, str]] = {
    True: {
        2023: "FY2023 averages 11 monthly files (September 2022 was missing upstream)",
        2025: "FY2025 covers April 2024 to January 2025 only (10 months)",
    },
    False: {
        **{y: f"FY{y} is a single snapshot (September {y - 1}), not a yearly mean" for y in range(2016, 2021)},
        2021: "FY2021 averages September 2020, December 2020 and March 2021 only",
        2024: "FY2024 covers April 2023 to January 2024 only (10 months)",
    },
}


def is_heec_layout(header: list[str]) -> bool:
    """HEEC tables are keyed by R-style ``Practice.Code`` and ``Year``."""
    keys = {header_key(h) for h in header}
    return "PRACTICE.CODE" in keys and "YEAR" in keys


def _heec_frame(path: Path) -> tuple[pd.DataFrame, int, bool]:
    """Parse and validate a HEEC table once: wide frame with float columns and int ``year``."""
    file = path.name
    optional = [c for c in HEEC_COLUMN_MAP.values() if c not in HEEC_REQUIRED]
    frame, rows_read, _ = open_source(path, HEEC_COLUMN_MAP, HEEC_REQUIRED, kind=KIND, optional=optional)
    problems = ProblemLog(file)
    frame["practice_code"] = clean_code(frame["practice_code"])
    problems.add_rows(frame["practice_code"] == "", _HEEC_PUBLISHED["practice_code"], constant("empty practice code"))
    years = to_number(frame, "year", problems, published=_HEEC_PUBLISHED["year"], integer=True)
    problems.add_rows(
        years.notna() & ((years < 2000) | (years > 2100)),
        _HEEC_PUBLISHED["year"],
        lambda v: f"'{v}' is not a financial year (expected e.g. 2024 for April 2023 - March 2024)",
        frame["year"],
    )
    for column in [c for c in frame.columns if c.endswith(("_fte", "_hc"))]:
        frame[column] = to_number(
            frame,
            column,
            problems,
            published=_HEEC_PUBLISHED[column],
            integer=False,
            missing_markers=MISSING_MARKERS,
            allow_empty=True,
            plausible=_measure(column),
        )
    problems.raise_if_any()
    frame["year"] = years.astype("int64")
    check_unique(frame, ["practice_code", "year"], problems, published=_HEEC_PUBLISHED["year"], what="practice/year")
    problems.raise_if_any()
    has_nurses = "nurse_fte" in frame.columns
    return frame, rows_read, has_nurses


def _long(wide: pd.DataFrame, staff_groups: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, int]]:
    """Wide ``<staff>_fte``/``<staff>_hc`` columns -> canonical long frame; rows with no FTE dropped."""
    parts = []
    dropped: dict[str, int] = {}
    for staff in staff_groups:
        fte_col = f"{staff}_fte"
        if fte_col not in wide:
            continue
        hc = wide[f"{staff}_hc"] if f"{staff}_hc" in wide else pd.Series(np.nan, index=wide.index)
        part = pd.DataFrame(
            {"practice_code": wide["practice_code"], "staff": staff, "fte": wide[fte_col], "headcount": hc}
        )
        missing = part["fte"].isna()
        dropped[staff] = int(missing.sum())
        parts.append(part[~missing])
    long = pd.concat(parts, ignore_index=True)
    long["staff"] = ordered(long["staff"], WORKFORCE_STAFF)
    long = long.sort_values(["practice_code", "staff"], kind="stable").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "practice_code": as_text(long["practice_code"]),
            "staff": as_text(long["staff"]),
            "fte": long["fte"].astype("float64").to_numpy(),
            "headcount": long["headcount"].astype("float64").to_numpy(),
        }
    )
    return out, dropped


def _fte_note(frame: pd.DataFrame, dropped: dict[str, int]) -> str:
    totals = frame.groupby("staff", sort=False)["fte"].sum()
    listed = "; ".join(f"{s} {fmt_int(totals[s])}" for s in WORKFORCE_STAFF if s in totals.index)
    gaps = ", ".join(f"{s} {n:,}" for s, n in dropped.items() if n)
    text = f"{frame['practice_code'].nunique():,} practices; FTE by staff group: {listed}"
    return text + (f"; practices with no valid records (NA/ND, left out, not zero): {gaps}" if gaps else "")


def _heec_result(
    frame: pd.DataFrame, year: int, file: str, rows_read: int, has_nurses: bool, years: list[int]
) -> IngestResult:
    rows = frame[frame["year"] == year]
    long, dropped = _long(rows, WORKFORCE_STAFF)
    coverage = _HEEC_COVERAGE[has_nurses]
    notes = [
        HEEC_NOTE,
        f"years in file: {', '.join(f'FY{y}' for y in years)}; this result: FY{year} "
        f"(April {year - 1} - March {year}); the last year of a HEEC table is treated as incomplete",
        _fte_note(long, dropped),
        "values are yearly means of monthly figures: headcounts are not whole numbers and count a GP once per practice",
    ]
    if year in coverage:
        notes.append(coverage[year])
    if not has_nurses:
        notes.append("this HEEC version has only qualified permanent GP (FTE, headcount) and admin (FTE) columns")
    return IngestResult(KIND, long, f"FY{year}", file, rows_read, tuple(notes))


def latest_complete_year(years: list[int]) -> int:
    """HEEC builds its tables from the monthly files available at the time, so the last year is
    part-year in every known version; default to the one before it (if there is one)."""
    return years[-2] if len(years) > 1 else years[-1]


def read_heec_workforce(path: Path | str, year: int | None = None) -> IngestResult:
    """One financial year (``FY<year>``, year ending March) of a HEEC table; default the latest
    complete year (see :func:`latest_complete_year`)."""
    path = Path(path)
    frame, rows_read, has_nurses = _heec_frame(path)
    years = sorted(int(y) for y in frame["year"].unique())
    chosen = latest_complete_year(years) if year is None else year
    if chosen not in years:
        raise IngestError(
            path.name,
            f"financial year {chosen} is not in the file (it has {', '.join(map(str, years))})",
            column=_HEEC_PUBLISHED["year"],
        )
    return _heec_result(frame, chosen, path.name, rows_read, has_nurses, years)


def read_heec_workforce_all_years(path: Path | str) -> dict[int, IngestResult]:
    """Every financial year of a HEEC table (parsed once), keyed by year."""
    path = Path(path)
    frame, rows_read, has_nurses = _heec_frame(path)
    years = sorted(int(y) for y in frame["year"].unique())
    return {y: _heec_result(frame, y, path.name, rows_read, has_nurses, years) for y in years}


# --- NHS England GP Workforce practice-level detailed CSV --------------------------------

#: GPW header -> canonical. ``EXTGL`` (2023+) and ``EXRL`` (2019 layout) both mean qualified
#: permanent GPs (excluding training grades/registrars and locums).
GPW_COLUMN_MAP: dict[str, str] = {
    "PRAC_CODE": "practice_code",
    "TOTAL_GP_FTE": "all_gp_fte",
    "TOTAL_GP_HC": "all_gp_hc",
    "TOTAL_GP_EXTGL_FTE": "gp_fte",
    "TOTAL_GP_EXRL_FTE": "gp_fte",
    "TOTAL_GP_EXTGL_HC": "gp_hc",
    "TOTAL_GP_EXRL_HC": "gp_hc",
    "TOTAL_NURSES_FTE": "nurse_fte",
    "TOTAL_NURSES_HC": "nurse_hc",
    "TOTAL_DPC_FTE": "dpc_fte",
    "TOTAL_DPC_HC": "dpc_hc",
    "TOTAL_ADMIN_FTE": "admin_fte",
    "TOTAL_ADMIN_HC": "admin_hc",
    **{f"TOTAL_GP_HC_{suffix}": f"age_{band}" for suffix, band in zip(GP_AGE_SUFFIXES, GP_AGE_BANDS, strict=True)},
}
# Roles and age bands of the detailed file (workforce_detailed), kept under their published names.
GPW_COLUMN_MAP.update({c: c for c in [*role_columns(), *(a[0] for a in age_columns())] if c not in GPW_COLUMN_MAP})
#: The module's main layout (the NHS publication); HEEC tables use :data:`HEEC_COLUMN_MAP`.
COLUMN_MAP: dict[str, str] = GPW_COLUMN_MAP
#: Both published layouts (2019 and 2023+) have every GP age band; a file without one is refused.
GPW_REQUIRED = (
    "practice_code",
    "all_gp_fte",
    "gp_fte",
    "nurse_fte",
    "dpc_fte",
    "admin_fte",
    *(f"age_{band}" for band in GP_AGE_BANDS),
)
_GPW_PUBLISHED = {canonical: published for published, canonical in reversed(GPW_COLUMN_MAP.items())}


def is_gpw_layout(header: list[str]) -> bool:
    """The NHS detailed practice CSV starts with ``PRAC_CODE`` and has ``TOTAL_GP_FTE``."""
    keys = {header_key(h) for h in header}
    return "PRAC_CODE" in keys and "TOTAL_GP_FTE" in keys


def read_gpw_practice(path: Path | str, period: str | None = None) -> tuple[IngestResult, IngestResult]:
    """NHS England "General Practice – <Month YYYY> Practice Level - Detailed" CSV ->
    (``workforce``, ``gp_age``). The CSV has no date column: ``period`` (``YYYY-MM``) comes from
    the argument or the file name (``November 2025`` or ``_2025-11``)."""
    workforce, gp_age, _, _ = read_gpw_detailed(path, period)
    return workforce, gp_age


def read_gpw_detailed(
    path: Path | str, period: str | None = None
) -> tuple[IngestResult, IngestResult, IngestResult, IngestResult]:
    """The detailed CSV -> (``workforce``, ``gp_age``, ``workforce_roles``, ``workforce_age``),
    read and validated once (see :func:`read_gpw_practice` for the period)."""
    path = Path(path)
    file = path.name
    period = check_period(period, file=file) or month_in_name(file)
    optional = [c for c in GPW_COLUMN_MAP.values() if c not in GPW_REQUIRED]
    frame, rows_read, header = open_source(path, GPW_COLUMN_MAP, GPW_REQUIRED, kind=KIND, optional=optional)
    layout = "2019 (CCG-era, EXRL)" if "TOTAL_GP_EXRL_FTE" in {header_key(h) for h in header} else "2023+ (EXTGL)"
    problems = ProblemLog(file)
    frame["practice_code"] = clean_code(frame["practice_code"])
    problems.add_rows(frame["practice_code"] == "", _GPW_PUBLISHED["practice_code"], constant("empty practice code"))
    numeric = [c for c in frame.columns if c != "practice_code"]
    for column in numeric:
        frame[column] = to_number(
            frame,
            column,
            problems,
            published=_GPW_PUBLISHED[column],
            integer=False,
            missing_markers=MISSING_MARKERS,
            allow_empty=True,
            plausible=_measure(column),
        )
    check_unique(frame, ["practice_code"], problems, published=_GPW_PUBLISHED["practice_code"], what="practice")
    problems.raise_if_any()
    frame = frame.copy()  # one block again after replacing hundreds of columns one by one

    # Locums and GPs in training = all GPs - qualified permanent GPs (as HEEC's TOTAL_LOCUUM_TRN).
    # Headcount difference is approximate: a GP in both groups counts once in TOTAL_GP_HC.
    locum_fte = frame["all_gp_fte"] - frame["gp_fte"]
    clipped = int((locum_fte < 0).sum())
    frame["gp_locum_trainee_fte"] = locum_fte.clip(lower=0)
    if "all_gp_hc" in frame and "gp_hc" in frame:
        frame["gp_locum_trainee_hc"] = (frame["all_gp_hc"] - frame["gp_hc"]).clip(lower=0)
    workforce, dropped = _long(frame, WORKFORCE_STAFF)
    notes = [
        f"NHS England GP Workforce practice-level detailed CSV, {layout} layout",
        _fte_note(workforce, dropped),
        "gp_locum_trainee = TOTAL_GP - qualified permanent GPs (training grades + locums); its headcount is "
        "approximate (one person can be in both groups)",
    ]
    if clipped:
        notes.append(f"{clipped:,} practices had TOTAL_GP_FTE below the qualified permanent GP FTE; set to 0")
    if period is None:
        notes.append("period unknown: the CSV has no date column; pass period='YYYY-MM'")
    workforce_result = IngestResult(KIND, workforce, period, file, rows_read, tuple(notes))
    return (
        workforce_result,
        _gp_age(frame, period, file, rows_read),
        *detailed_results(frame, GPW_COLUMN_MAP, period, file, rows_read, layout),
    )


def _gp_age(frame: pd.DataFrame, period: str | None, file: str, rows_read: int) -> IngestResult:
    """GP headcount by age band, long; practices with NA/ND in a band are left out of that band."""
    columns = [f"age_{band}" for band in GP_AGE_BANDS if f"age_{band}" in frame]
    if not columns:
        empty = pd.DataFrame(
            {
                "practice_code": pd.Series(dtype=str),
                "age_band": pd.Series(dtype=str),
                "headcount": pd.Series(dtype="float64"),
            }
        )
        return IngestResult(
            GP_AGE_KIND,
            empty,
            period,
            file,
            rows_read,
            ("no GP age-band columns (TOTAL_GP_HC_UNDER30 ...) in this file",),
        )
    long = frame[["practice_code", *columns]].melt(id_vars="practice_code", var_name="age_band", value_name="headcount")
    long = long[long["headcount"].notna()]
    long["age_band"] = ordered(long["age_band"].str.removeprefix("age_"), GP_AGE_BANDS)
    long = long.sort_values(["practice_code", "age_band"], kind="stable")
    out = pd.DataFrame(
        {
            "practice_code": as_text(long["practice_code"]),
            "age_band": as_text(long["age_band"]),
            "headcount": long["headcount"].astype("float64").to_numpy(),
        }
    )
    total = float(out["headcount"].sum())
    older = float(out.loc[out["age_band"].isin(["55_59", "60_64", "65_69", "70_plus"]), "headcount"].sum())
    share = f"{older / total:.1%}" if total else "n/a"
    notes = (
        f"{out['practice_code'].nunique():,} practices; GP headcount {fmt_int(total)} (summed over practices, so "
        f"a GP working in two practices counts twice); aged 55+: {share}",
    )
    return IngestResult(GP_AGE_KIND, out, period, file, rows_read, notes)


def read_workforce_all(path: Path | str) -> list[IngestResult]:
    """What ``gpworkforce import workforce`` stores: a HEEC table's latest complete year, or
    every kind the NHS detailed CSV gives (workforce, gp_age, workforce_roles, workforce_age)."""
    path = Path(path)
    if is_heec_layout(read_header(path)):
        return [read_heec_workforce(path)]
    return list(read_gpw_detailed(path))


def read_workforce(path: Path | str) -> IngestResult:
    """Sniff the layout: HEEC (latest complete year) or the NHS detailed CSV (workforce part)."""
    path = Path(path)
    header = read_header(path)
    if is_heec_layout(header):
        return read_heec_workforce(path)
    return read_gpw_practice(path)[0]
