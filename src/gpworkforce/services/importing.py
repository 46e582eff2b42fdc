"""Import published files and the shipped snapshot into the database, all or nothing.

The reader validates the file itself (columns, numbers, ranges, categories); this layer adds
the checks that need the database (:mod:`~gpworkforce.services.import_checks`: practice codes
no loaded dataset knows, a file much smaller than the one it replaces or follows) and then
writes inside one transaction, so a failed import leaves the database as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from gpworkforce import store
from gpworkforce.ingest import IMPORT_KINDS as IMPORT_KINDS
from gpworkforce.ingest import IngestError, IngestResult, read_snapshot, read_workforce_all
from gpworkforce.ingest import read_any as _read_any
from gpworkforce.reference import load_reference
from gpworkforce.services import import_checks

SNAPSHOT_DIR = Path(__file__).resolve().parents[1] / "snapshot"
#: Kinds whose practice codes must be known to the database, and their published column names.
CHECK_PRACTICES = import_checks.CHECK_PRACTICES


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote: kind, period, rows and any notes from the reader."""

    kind: str
    period: str | None
    rows: int
    replaced: bool
    notes: tuple[str, ...]


def known_practices(engine: Engine) -> set[str]:
    """Practice codes any loaded dataset names (mappings, patients months, workforce, QOF ...),
    read as distinct values by the database rather than whole."""
    with store.session_scope(engine) as s:
        return import_checks.known_practices(s)


def max_shrink_share() -> float:
    """Share of practices or rows a re-import may lose (``import_max_shrink_share``, reference/general.csv)."""
    return float(load_reference().general["import_max_shrink_share"])


def check_results(
    engine: Engine,
    results: list[IngestResult],
    path: Path,
    *,
    allow_shrink: bool = False,
    also_known: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Refuse results that cannot be stored or that look damaged against what is loaded:
    no period, practices nobody knows (``also_known`` adds those of files imported with them,
    such as a zip's Mapping.csv), or (unless ``allow_shrink``) many fewer practices or rows."""
    share = max_shrink_share()
    with store.session_scope(engine) as s:
        known = import_checks.known_practices(s) if any(r.kind in CHECK_PRACTICES for r in results) else set()
        known |= set(also_known)
        for r in results:
            if not r.period:
                raise IngestError(
                    r.source_file or path.name,
                    f"the {r.kind} period is not in the file nor in its name; name the file as published "
                    "(e.g. with _YYYY-MM)",
                )
            import_checks.check_practice_codes(known, r, path)
            if not allow_shrink:
                import_checks.check_shrink(s, r, share)


def save(engine: Engine, results: list[IngestResult]) -> list[ImportSummary]:
    """Write results in one transaction; each replaces any dataset of the same kind and period."""
    out = []
    with store.session_scope(engine, write=True) as s:
        for r in results:
            replaced = r.period in store.list_periods(s, r.kind)
            store.save_dataset(s, r)
            out.append(ImportSummary(r.kind, r.period, len(r.frame), replaced, tuple(r.notes)))
    return out


def import_file(engine: Engine, kind: str, path: Path, *, allow_shrink: bool = False) -> list[ImportSummary]:
    """Read ``path`` as ``kind``, check it against the database and save it (all or nothing).

    ``allow_shrink`` accepts a file with many fewer practices or rows than the loaded dataset
    of its kind (a regional extract after a national one); otherwise that is refused.
    """
    path = Path(path)
    if kind == "workforce":  # the detailed CSV also gives GP age bands, roles and staff age bands
        results = read_workforce_all(path)
    else:
        read = _read_any(path, kind)
        results = [read] if isinstance(read, IngestResult) else list(read)
    check_results(engine, results, path, allow_shrink=allow_shrink)
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
