"""Import published files and the shipped snapshot into the database, all or nothing.

The reader validates the file itself (columns, numbers, categories); this layer adds the
checks that need the database, such as practice codes that no loaded mapping knows, and
then writes inside one transaction, so a failed import leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from gpworkforce import store
from gpworkforce.ingest import IMPORT_KINDS as IMPORT_KINDS
from gpworkforce.ingest import IngestError, IngestResult, read_snapshot
from gpworkforce.ingest import read_any as _read_any
from gpworkforce.store.aggregates import load_totals

SNAPSHOT_DIR = Path(__file__).resolve().parents[1] / "snapshot"
#: Kinds whose practice codes must be known to a loaded mapping (a typo would silently vanish).
CHECK_PRACTICES = {"appointments": "GP_CODE"}


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote: kind, period, rows and any notes from the reader."""

    kind: str
    period: str | None
    rows: int
    replaced: bool
    notes: tuple[str, ...]


def _first_row_with(path: Path, column: str, values: set[str]) -> int | None:
    """1-based file line of the first row whose ``column`` is in ``values`` (header = line 1)."""
    try:
        col = pd.read_csv(path, usecols=[column], dtype=str, encoding="utf-8-sig")[column]
    except (ValueError, OSError):
        return None
    hits = col.index[col.isin(values)]
    return int(hits[0]) + 2 if len(hits) else None


def known_practices(engine: Engine) -> set[str]:
    """Practice codes in any loaded mapping or patients month.

    Patients months are summed by practice in the database rather than read whole (245k rows
    each): only the codes are needed.
    """
    codes: set[str] = set()
    with store.session_scope(engine) as s:
        for period in store.list_periods(s, "mapping"):
            frame, _ = store.load_frame(s, "mapping", period)
            codes.update(frame["practice_code"].unique())
        for period in store.list_periods(s, "patients"):
            totals, _ = load_totals(s, "patients", ["practice_code"], period)
            codes.update(totals["practice_code"].unique())
    return codes


def check_practice_codes(engine: Engine, result: IngestResult, path: Path) -> None:
    """Refuse a file that names practices no loaded mapping knows."""
    column = CHECK_PRACTICES.get(result.kind)
    if column is None or "practice_code" not in result.frame:
        return
    known = known_practices(engine)
    if not known:
        return
    unknown = set(result.frame["practice_code"].unique()) - known
    if unknown:
        first = sorted(unknown)[0]
        row = _first_row_with(path, column, unknown)
        raise IngestError(
            path.name,
            f"unknown practice code {first!r}"
            + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
            + ": not in any loaded practice mapping; import the matching mapping file first",
            row=row,
            column=column,
        )


def save(engine: Engine, results: list[IngestResult]) -> list[ImportSummary]:
    """Write results in one transaction; each replaces any dataset of the same kind and period."""
    out = []
    with store.session_scope(engine, write=True) as s:
        for r in results:
            replaced = r.period in store.list_periods(s, r.kind)
            store.save_dataset(s, r)
            out.append(ImportSummary(r.kind, r.period, len(r.frame), replaced, tuple(r.notes)))
    return out


def import_file(engine: Engine, kind: str, path: Path) -> list[ImportSummary]:
    """Read ``path`` as ``kind``, check it against the database and save it (all or nothing)."""
    path = Path(path)
    read = _read_any(path, kind)
    results: list[IngestResult] = [read] if isinstance(read, IngestResult) else list(read)
    for r in results:
        check_practice_codes(engine, r, path)
    return save(engine, results)


def database_is_empty(engine: Engine) -> bool:
    """True when no registered-patients data has been loaded yet."""
    with store.session_scope(engine) as s:
        return not store.list_periods(s, "patients")


def ensure_database(
    url: str | None = None, snapshot: Path = SNAPSHOT_DIR, force: bool = False
) -> tuple[Engine, list[ImportSummary]]:
    """Migrate the database and, if it is empty (or ``force``), load the shipped national snapshot."""
    engine = store.make_engine(url or store.default_database_url())
    store.upgrade(engine)
    if not force and not database_is_empty(engine):
        return engine, []
    return engine, save(engine, list(read_snapshot(snapshot)))
