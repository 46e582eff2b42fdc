"""The database the CLI works on: opened (migrated), what it holds, and files imported as published.

The CLI reaches the store and the importers only through services; these are the calls it
needs that are not an analysis.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from gpworkforce import store
from gpworkforce.ingest import IngestError as IngestError  # what a bad file raises, for callers to catch
from gpworkforce.services import importing
from gpworkforce.services.fetching import import_archive
from gpworkforce.services.importing import ImportSummary


def open_database(url: str | None = None) -> Engine:
    """An engine on ``url`` (default: GPWORKFORCE_DATABASE_URL or the user's SQLite file), migrated."""
    engine = store.make_engine(url or store.default_database_url())
    store.upgrade(engine)
    return engine


def list_datasets(engine: Engine) -> pd.DataFrame:
    """One row per loaded dataset: kind, period, rows, source file and when it was loaded."""
    with store.session_scope(engine) as s:
        return store.list_datasets(s)


def import_published(engine: Engine, kind: str, path: Path, *, allow_shrink: bool = False) -> list[ImportSummary]:
    """Import ``path`` as ``kind`` all or nothing: a CSV (or .csv.gz), or a ZIP as NHS England publishes it.

    Raises :class:`IngestError` naming the file (and row and column) when it cannot be read, or
    when it holds many fewer practices or rows than the loaded dataset of its kind (unless
    ``allow_shrink``).
    """
    path = Path(path)
    if path.is_file() and zipfile.is_zipfile(path):
        return import_archive(engine, kind, path, allow_shrink=allow_shrink)
    return importing.import_file(engine, kind, path, allow_shrink=allow_shrink)
