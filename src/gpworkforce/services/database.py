"""The database as the CLI and the web see it: an engine and units of work, nothing of tables.

The store owns engines and sessions; this module is the door the outer layers use, so they
never import the store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gpworkforce import store

__all__ = ["default_database_url", "open_engine", "unit_of_work"]


def default_database_url() -> str:
    """``$GPWORKFORCE_DATABASE_URL``, else a SQLite file in the per-user data directory."""
    return store.default_database_url()


def open_engine(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL (the schema must already be migrated)."""
    return store.make_engine(url)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back if it raises."""
    with store.session_scope(engine) as session:
        yield session
