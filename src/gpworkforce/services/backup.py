"""``gpworkforce backup`` and ``restore``: the whole database to one file and back, safe while the server runs.

A backup is a SQLite file (from SQLite, via its online backup API) or a ``pg_dump`` custom
archive (from PostgreSQL), written 0600 since it holds password hashes. A restore checks the
file is a gpworkforce backup of the same kind of database and of a schema revision this version
knows, refuses to overwrite a database that holds any rows unless forced, then migrates the
result to the latest schema and checks the audit log's hash chain.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.sql import func

from gpworkforce import store
from gpworkforce.services.audit_chain import ChainReport, verify_chain
from gpworkforce.store import backup as files
from gpworkforce.store.accounts import AuditLog

__all__ = ["BackupError", "BackupResult", "RestoreResult", "backup_database", "restore_database"]

#: Tables every gpworkforce database has had since revision 0002.
_REQUIRED_TABLES: Final = frozenset({"alembic_version", "audit_log", "user_account", "saved_scenario"})


class BackupError(ValueError):
    """The backup cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    backend: str
    revision: str
    size_bytes: int
    audit_rows: int


@dataclass(frozen=True)
class RestoreResult:
    backend: str
    backup_revision: str
    revision: str
    audit: ChainReport


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(store.alembic_config())
    return [rev.revision for rev in script.walk_revisions()]


def _current_revision(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one())


def _rows_in(engine: Engine) -> dict[str, int]:
    """Row counts of the database's tables that hold any (alembic_version aside)."""
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            if name == "alembic_version":
                continue
            n = conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            if n:
                counts[name] = int(n)
    return counts


def backup_database(engine: Engine, target: Path, *, force: bool = False) -> BackupResult:
    """Write a consistent copy of the (migrated) database to ``target``."""
    target = target.expanduser()
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    if target.exists() and not force:
        raise BackupError(f"{target} exists: choose another name, or add --force to replace it")
    backend = engine.dialect.name
    revision = _current_revision(engine)
    with store.session_scope(engine) as session:
        audit_rows = int(session.scalar(select(func.count()).select_from(AuditLog)) or 0)
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        if backend == "sqlite":
            files.sqlite_backup(files.sqlite_path(engine), partial)
        else:
            files.postgres_dump(engine.url, partial)
        os.replace(partial, target)
    except files.BackupToolError as exc:
        raise BackupError(str(exc)) from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(target, backend, revision, target.stat().st_size, audit_rows)


def _sqlite_backup_revision(path: Path) -> str:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = _REQUIRED_TABLES - tables
            if missing:
                raise BackupError(
                    f"{path} is a SQLite file but not a gpworkforce backup (no {', '.join(sorted(missing))})"
                )
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a SQLite backup: {exc}") from exc
    if row is None:
        raise BackupError(f"{path} has no schema revision: not a gpworkforce backup")
    return str(row[0])


def _postgres_backup_revision(path: Path) -> str:
    try:
        listing = files.postgres_list(path)
        missing = {t for t in _REQUIRED_TABLES if not re.search(rf"TABLE public {t} ", listing)}
        if missing:
            raise BackupError(
                f"{path} is a pg_dump archive but not a gpworkforce backup (no {', '.join(sorted(missing))})"
            )
        copy = files.postgres_data(path, "alembic_version")
    except files.BackupToolError as exc:
        raise BackupError(str(exc)) from exc
    match = re.search(r"^COPY public\.alembic_version .*?;\n(\S+)\n", copy, re.MULTILINE)
    if match is None:
        raise BackupError(f"{path} has no schema revision: not a gpworkforce backup")
    return match.group(1)


def _backup_revision(path: Path, backend: str) -> str:
    with path.open("rb") as handle:
        head = handle.read(16)
    kind = "sqlite" if head == files.SQLITE_MAGIC else "postgresql" if head.startswith(files.PGDUMP_MAGIC) else None
    if kind is None:
        raise BackupError(f"{path} is not a gpworkforce backup (neither a SQLite file nor a pg_dump archive)")
    if kind != backend:
        raise BackupError(f"{path} is a {kind} backup but the database is {backend}: restore it into a {kind} database")
    revision = _sqlite_backup_revision(path) if kind == "sqlite" else _postgres_backup_revision(path)
    if revision not in _revisions():
        raise BackupError(
            f"{path} has schema revision {revision!r}, unknown to this version of gpworkforce "
            "(made by a newer one?): upgrade gpworkforce first"
        )
    return revision


def restore_database(engine: Engine, source: Path, *, force: bool = False) -> RestoreResult:
    """Replace the database's content with the backup ``source``, then migrate and verify it."""
    source = source.expanduser()
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    backend = engine.dialect.name
    backup_revision = _backup_revision(source, backend)
    held = _rows_in(engine)
    if held and not force:
        listed = ", ".join(f"{name} {n:,}" for name, n in sorted(held.items())[:6])
        raise BackupError(
            f"the database is not empty ({listed}{', ...' if len(held) > 6 else ''} rows): "
            "restore into an empty database, or add --force to replace its content"
        )
    try:
        if backend == "sqlite":
            files.sqlite_restore(source, files.sqlite_path(engine))
        else:
            has_tables = bool(inspect(engine).get_table_names())
            files.postgres_restore(engine.url, source, clean=has_tables)
    except files.BackupToolError as exc:
        raise BackupError(str(exc)) from exc
    engine.dispose()  # pooled connections may hold the old schema's state
    store.upgrade(engine)
    with store.session_scope(engine) as session:
        report = verify_chain(session)
    return RestoreResult(backend, backup_revision, _current_revision(engine), report)
