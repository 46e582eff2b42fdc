"""Engines, sessions and schema migration.

SQLite is the single-user default (a file in the user's data directory); PostgreSQL is for
shared deployments. Both go through the same Alembic migrations, so a schema is never
created with ``create_all``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from gpworkforce.settings import get_settings
from gpworkforce.store.files import ensure_private_database_file

#: Folder of the Alembic environment inside the package (works from a wheel too).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def default_database_url() -> str:
    """``$GPWORKFORCE_DATABASE_URL``, else a SQLite file in the per-user data directory."""
    return get_settings().database


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL.

    SQLite: creates the file 0600 and its folder 0700 (it holds password hashes), turns on foreign keys (for ``ON DELETE
    CASCADE``) and WAL (web readers do not block an import), and lets SQLAlchemy emit
    BEGIN itself so that DDL and SAVEPOINTs are transactional (the ``sqlite3`` driver's
    legacy mode would silently autocommit them). PostgreSQL URLs without a driver use psycopg 3.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgres":  # Heroku-style spelling
        parsed = parsed.set(drivername="postgresql")
        backend = "postgresql"
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **kwargs)
    if backend != "sqlite":
        raise ValueError(f"unsupported database {parsed.drivername!r}: use sqlite:/// or postgresql://")

    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        ensure_private_database_file(Path(database).expanduser())
    engine = create_engine(parsed, **kwargs)
    _configure_sqlite(engine, autocommit=kwargs.get("isolation_level") == "AUTOCOMMIT")
    return engine


def _configure_sqlite(engine: Engine, autocommit: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _on_begin)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
            cursor.execute("PRAGMA busy_timeout=30000")  # wait for a concurrent import, not fail
        finally:
            cursor.close()

    if autocommit:
        return

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on any exception."""
    session = sessionmaker(bind=engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration built in code, independent of the working directory.

    With ``connection`` the migration runs on it (inside its transaction); without, env.py
    connects to :func:`default_database_url`.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the latest by default) in one transaction."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
