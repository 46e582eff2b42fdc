"""Engines, sessions and schema migration.

SQLite is the single-user default (a file in the user's data directory); PostgreSQL is for
shared deployments with many writers. Both go through the same Alembic migrations, so a
schema is never created with ``create_all``.

Concurrent writers on SQLite: every connection runs in WAL mode with a busy timeout, and a
unit of work that writes (``session_scope(engine, write=True)``) starts with ``BEGIN
IMMEDIATE``, so it takes the one write lock before reading anything. Writers then queue on
SQLite's busy handler (which retries the lock until the timeout) instead of failing at once
with "database is locked" when a read transaction tries to become a write transaction after
another writer committed. When the lock is not free in time the unit of work raises
:class:`DatabaseBusy` ("busy, try again"), having written nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from gpworkforce.settings import DEFAULT_BUSY_TIMEOUT, get_settings
from gpworkforce.store.files import ensure_private_database_file

if TYPE_CHECKING:  # alembic is imported only to migrate, not to serve (start-up time)
    from alembic.config import Config

#: Folder of the Alembic environment inside the package (works from a wheel too).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: How long a SQLite writer waits for the write lock before giving up with DatabaseBusy [s]
#: (``$GPWORKFORCE_BUSY_TIMEOUT`` overrides it).
BUSY_TIMEOUT_SECONDS: Final = DEFAULT_BUSY_TIMEOUT
#: Execution option that makes a SQLite transaction begin with ``BEGIN IMMEDIATE``.
WRITE_OPTION: Final = "gpworkforce_write"
#: PostgreSQL SQLSTATEs that mean "another transaction got there first": serialization
#: failure, deadlock detected, lock not available.
_PG_BUSY_STATES: Final = frozenset({"40001", "40P01", "55P03"})


class DatabaseBusy(RuntimeError):
    """Another writer held the database for longer than the busy timeout; nothing was written.

    The message is safe to show: the caller should try again in a moment.
    """

    def __init__(self, message: str = "The database is busy with another change; try again in a moment.") -> None:
        super().__init__(message)


def is_busy_error(exc: BaseException) -> bool:
    """True when ``exc`` (or what it wraps) means the database was locked by another writer."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    text = str(orig).lower()
    if "database is locked" in text or "database is busy" in text or "database table is locked" in text:
        return True
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state in _PG_BUSY_STATES


def default_database_url() -> str:
    """``$GPWORKFORCE_DATABASE_URL``, else a SQLite file in the per-user data directory."""
    return get_settings().database


def make_engine(url: str, *, busy_timeout: float | None = None, **kwargs: Any) -> Engine:
    """Create an engine for a SQLite or PostgreSQL URL.

    SQLite: creates the file 0600 and its folder 0700 (it holds password hashes), turns on foreign keys (for ``ON DELETE
    CASCADE``), WAL (web readers do not block an import) and a busy timeout of
    ``busy_timeout`` seconds (default ``$GPWORKFORCE_BUSY_TIMEOUT``, else 30) on every
    connection, and lets SQLAlchemy emit BEGIN itself so that DDL and SAVEPOINTs are
    transactional (the ``sqlite3`` driver's legacy mode would silently autocommit them);
    write units of work begin IMMEDIATE (see the module's docstring). PostgreSQL URLs
    without a driver use psycopg 3.
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
    if busy_timeout is None:
        busy_timeout = get_settings().busy_timeout
    # Writers waiting for the lock each hold a pooled connection: a pool as large as the web's
    # thread pool (40) keeps readers from queueing behind them for a connection.
    if database and database != ":memory:":
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 40)
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("timeout", busy_timeout)  # the driver's own wait, before our PRAGMA
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    autocommit = kwargs.get("isolation_level") == "AUTOCOMMIT"
    _configure_sqlite(engine, busy_ms=round(busy_timeout * 1000), autocommit=autocommit)
    return engine


def _configure_sqlite(engine: Engine, busy_ms: int, autocommit: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see _on_begin)
        cursor = dbapi_connection.cursor()
        try:
            # The busy timeout first: switching to WAL itself needs a lock a writer may hold.
            cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")  # wait for a concurrent writer, not fail
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, much faster commits
        finally:
            cursor.close()

    if autocommit:
        return

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")


def writer(engine: Engine) -> Engine:
    """``engine`` for a unit of work that writes: on SQLite its transactions begin IMMEDIATE."""
    return engine.execution_options(**{WRITE_OPTION: True})


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on any exception.

    ``write=True`` for a unit of work that writes: on SQLite it holds the write lock from
    its first statement, so concurrent writers queue rather than fail. A lock not had in
    time (SQLite), a serialization failure or deadlock (PostgreSQL) or no free pooled
    connection raises :class:`DatabaseBusy` after the rollback.
    """
    session = sessionmaker(bind=writer(engine) if write else engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        if is_busy_error(exc):
            raise DatabaseBusy() from exc
        raise
    except PoolTimeout as exc:  # every pooled connection stayed in use for the pool's timeout
        session.rollback()
        raise DatabaseBusy() from exc
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
    from alembic.config import Config  # lazy: see the TYPE_CHECKING import

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the latest by default) in one write transaction."""
    from alembic import command  # lazy: serving never migrates

    try:
        with writer(engine).begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    except DBAPIError as exc:
        if is_busy_error(exc):
            raise DatabaseBusy() from exc
        raise
