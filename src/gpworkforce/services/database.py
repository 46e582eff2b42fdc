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

__all__ = ["DatabaseBusy", "default_database_url", "open_engine", "unit_of_work"]

#: Raised by a unit of work that could not get the database in time (nothing was written):
#: the web answers 503 with Retry-After, the CLI a message and exit status 75.
DatabaseBusy = store.DatabaseBusy


def default_database_url() -> str:
    """``$GPWORKFORCE_DATABASE_URL``, else a SQLite file in the per-user data directory."""
    return store.default_database_url()


def open_engine(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL (the schema must already be migrated)."""
    return store.make_engine(url)


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back if it raises.

    ``write=True`` when it may write: concurrent writers then queue for the database (SQLite)
    and one that waits too long raises :data:`DatabaseBusy` having written nothing.
    """
    with store.session_scope(engine, write=write) as session:
        yield session
