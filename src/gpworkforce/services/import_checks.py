"""Checks of an imported file against what the database already holds.

A reader can only judge a file by itself; a file cut to 60% of its rows is still a valid
CSV. These checks compare it with the loaded dataset of the same kind (a re-import that
loses more than a few per cent of practices or rows is refused unless the user says it
is deliberate) and with the practices the database knows (a practice no loaded dataset
has ever named is a typo or a damaged row, not a new practice). Each refusal is an
:class:`IngestError` naming the file, and the line and column where it can.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.ingest import IngestError, IngestResult
from gpworkforce.ingest.files import read_header
from gpworkforce.store.aggregates import load_distinct

#: What "coverage" means for each kind: the codes whose loss the shrink check counts.
COVERAGE_COLUMN: dict[str, tuple[str, str]] = {
    "patients": ("practice_code", "practices"),
    "mapping": ("practice_code", "practices"),
    "appointments": ("practice_code", "practices"),
    "workforce": ("practice_code", "practices"),
    "gp_age": ("practice_code", "practices"),
    "workforce_roles": ("practice_code", "practices"),
    "workforce_age": ("practice_code", "practices"),
    "imd": ("practice_code", "practices"),
    "qof": ("practice_code", "practices"),
    "pcn_workforce": ("pcn_code", "PCNs"),
    "subicb_appointments": ("sub_icb_code", "sub-ICBs"),
    "population_projection": ("year", "years"),
}
#: Kinds whose practice codes must be known to the database -> the column names the file may
#: use for them (the first is named when the line cannot be found). Patients and mappings
#: define the practices, so they are not checked.
CHECK_PRACTICES: dict[str, tuple[str, ...]] = {
    "appointments": ("GP_CODE",),
    "workforce": ("PRAC_CODE", "Practice.Code"),
    "gp_age": ("PRAC_CODE",),
    "workforce_roles": ("PRAC_CODE",),
    "workforce_age": ("PRAC_CODE",),
    "imd": ("PRACTICE_CODE",),
    "qof": ("PRACTICE_CODE",),
}
#: Kinds whose stored practice codes count as known.
PRACTICE_KINDS = ("mapping", "patients", "appointments", "workforce", "gp_age", "imd", "qof")


@dataclass(frozen=True)
class Coverage:
    """How much a dataset covers: rows and distinct codes (practices, PCNs ...)."""

    rows: int
    codes: int


def coverage_of(frame: pd.DataFrame, kind: str) -> Coverage:
    """Rows and distinct coverage codes of a canonical frame."""
    column, _ = COVERAGE_COLUMN.get(kind, ("", ""))
    codes = int(frame[column].nunique()) if column in frame else 0
    return Coverage(len(frame), codes)


def stored_coverage(session: Session, kind: str, period: str) -> Coverage:
    """Rows and distinct coverage codes of a stored dataset (counted by the database)."""
    datasets = store.list_datasets(session)
    match = datasets[(datasets["kind"] == kind) & (datasets["period"] == period)]
    rows = int(match["rows"].iloc[0]) if len(match) else 0
    column, _ = COVERAGE_COLUMN.get(kind, ("", ""))
    if not column:
        return Coverage(rows, 0)
    distinct = load_distinct(session, kind, column)
    return Coverage(rows, int((distinct["period"] == period).sum()))


def shrink_problem(new: Coverage, old: Coverage, *, kind: str, old_period: str, max_share: float) -> str | None:
    """Why ``new`` is refused against ``old`` (None when it is not): it loses more than ``max_share``
    of the practices (PCNs, sub-ICBs, years) or of the rows."""
    _, what = COVERAGE_COLUMN.get(kind, ("", "codes"))
    for label, now, before in ((what, new.codes, old.codes), ("rows", new.rows, old.rows)):
        if before and now < before * (1 - max_share):
            return (
                f"the file has {now:,} {label} but the loaded {kind} {old_period} has {before:,} "
                f"({1 - now / before:.1%} fewer; more than {max_share:.0%} is refused as a likely truncated or "
                "filtered file). Check the file is complete; if the smaller file is deliberate, import it with "
                "--allow-shrink"
            )
    return None


def check_shrink(session: Session, result: IngestResult, max_share: float) -> None:
    """Refuse a file much smaller than the loaded dataset it follows (same period, else the latest)."""
    periods = store.list_periods(session, result.kind)
    if not periods:
        return
    old_period = result.period if result.period in periods else periods[-1]
    problem = shrink_problem(
        coverage_of(result.frame, result.kind),
        stored_coverage(session, result.kind, old_period),
        kind=result.kind,
        old_period=old_period,
        max_share=max_share,
    )
    if problem:
        raise IngestError(result.source_file, problem)


def known_practices(session: Session) -> set[str]:
    """Practice codes any loaded dataset has named (mappings, patients, workforce, QOF, ...)."""
    codes: set[str] = set()
    for kind in PRACTICE_KINDS:
        codes.update(load_distinct(session, kind, "practice_code")["practice_code"])
    return codes


def first_line_with(path: Path, columns: Iterable[str], values: set[str]) -> tuple[int | None, str]:
    """1-based file line (header = line 1) of the first row whose practice column holds one of
    ``values``, and the column's published name."""
    names = list(columns)
    try:
        header = read_header(path)
    except IngestError:
        return None, names[0]
    column = next((h for h in header if h in names), names[0])
    if column not in header:
        return None, column
    try:
        cells = pd.read_csv(path, usecols=[column], dtype=str, encoding="utf-8-sig", keep_default_na=False)[column]
    except (ValueError, OSError):
        return None, column
    hits = cells.index[cells.str.strip().str.upper().isin(values)]
    return (int(hits[0]) + 2 if len(hits) else None), column


def check_practice_codes(known: set[str], result: IngestResult, path: Path) -> None:
    """Refuse a file that names practices no loaded dataset knows, naming the first and its line."""
    columns = CHECK_PRACTICES.get(result.kind)
    if columns is None or "practice_code" not in result.frame or not known:
        return
    unknown = set(result.frame["practice_code"].unique()) - known
    if not unknown:
        return
    first = sorted(unknown)[0]
    row, column = first_line_with(path, columns, {first})
    more = f" (and {len(unknown) - 1:,} more)" if len(unknown) > 1 else ""
    raise IngestError(
        path.name,
        f"unknown practice code {first!r}{more}: no loaded mapping, patients list or earlier dataset names it; "
        "import the matching mapping file first",
        row=row,
        column=column,
    )
