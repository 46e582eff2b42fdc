"""Persistence: SQLAlchemy 2 tables, Alembic migrations and frame-level repository functions.

Services talk to the database only through the names exported here (Store contract in
docs/architecture.md).
"""

from __future__ import annotations

from gpworkforce.settings import DATABASE_URL_ENV
from gpworkforce.store.engine import (
    BUSY_TIMEOUT_SECONDS,
    DatabaseBusy,
    alembic_config,
    default_database_url,
    is_busy_error,
    make_engine,
    session_scope,
    upgrade,
)
from gpworkforce.store.groups import PracticeGroup, PracticeGroupMember, load_groups
from gpworkforce.store.repository import (
    IngestResultLike,
    canonical_columns,
    database_fingerprint,
    delete_dataset,
    empty_frame,
    list_datasets,
    list_periods,
    load_frame,
    load_fte_overrides,
    save_dataset,
    set_fte_override,
)
from gpworkforce.store.tables import KIND_TABLES

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "DATABASE_URL_ENV",
    "KIND_TABLES",
    "DatabaseBusy",
    "IngestResultLike",
    "PracticeGroup",
    "PracticeGroupMember",
    "alembic_config",
    "canonical_columns",
    "database_fingerprint",
    "default_database_url",
    "delete_dataset",
    "empty_frame",
    "is_busy_error",
    "list_datasets",
    "list_periods",
    "load_frame",
    "load_fte_overrides",
    "load_groups",
    "make_engine",
    "save_dataset",
    "session_scope",
    "set_fte_override",
    "upgrade",
]
