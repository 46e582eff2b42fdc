"""Copies of the whole database that are consistent while the server writes, and their restore.

SQLite: the online backup API (``sqlite3.Connection.backup`` in one step, under a read
transaction, so the copy is one moment of the database including what is still in the WAL; a
plain ``cp`` of a live file misses that). The copy is an ordinary SQLite file (rollback journal,
not WAL). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, found on PATH or in
``/usr/lib/postgresql/<version>/bin`` (the newest), as the test suite finds them.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url

from gpworkforce.store.files import PRIVATE_FILE_MODE, create_private_file

__all__ = [
    "BackupToolError",
    "pg_tool",
    "postgres_data",
    "postgres_dump",
    "postgres_list",
    "postgres_restore",
    "sqlite_backup",
    "sqlite_path",
    "sqlite_restore",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupToolError(RuntimeError):
    """pg_dump/pg_restore is missing or failed (the message carries its own)."""


def sqlite_path(engine: Engine) -> Path:
    """The file of a SQLite engine."""
    database = engine.url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise ValueError("only a SQLite database in a file can be backed up or restored")
    return Path(database).expanduser()


def sqlite_backup(source: Path, target: Path) -> None:
    """Copy the live database ``source`` into the new file ``target`` (created 0600)."""
    create_private_file(target)
    src = sqlite3.connect(source)  # read-write open: a read-only one cannot use a WAL database's -shm
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)  # pages=-1: one step, one consistent snapshot
        dst.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
        problem = dst.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise RuntimeError(f"the copy failed SQLite's check: {problem}")
    finally:
        dst.close()
        src.close()
    os.chmod(target, PRIVATE_FILE_MODE)


def sqlite_restore(backup: Path, target: Path) -> None:
    """Replace the database ``target``'s content with ``backup``'s, in one transaction of
    SQLite's backup API (readers see the old or the new database, never a mixture)."""
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        dst.execute("PRAGMA busy_timeout=30000")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()
        src.close()


def pg_tool(name: str) -> str:
    """Path of ``pg_dump`` or ``pg_restore``: the newest in /usr/lib/postgresql, else PATH."""
    bins = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0
    )
    for folder in reversed(bins):
        if os.access(f"{folder}/{name}", os.X_OK):
            return f"{folder}/{name}"
    found = shutil.which(name)
    if found is None:
        raise BackupToolError(f"{name} not found: install the PostgreSQL client (e.g. apt install postgresql-client)")
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password, and the environment carrying it (not on the command line)."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = make_url(url).set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupToolError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def postgres_dump(url: URL, target: Path) -> None:
    """``pg_dump --format=custom`` of the database into the new file ``target`` (0600)."""
    conninfo, env = _libpq(url)
    create_private_file(target)
    try:
        _run(
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", conninfo], env
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    os.chmod(target, PRIVATE_FILE_MODE)


def postgres_list(backup: Path) -> str:
    """``pg_restore --list``: the archive's table of contents (fails on a file that is not one)."""
    return _run([pg_tool("pg_restore"), "--list", str(backup)], dict(os.environ))


def postgres_data(backup: Path, table: str) -> str:
    """The COPY text of one table in the archive (for reading its schema revision)."""
    return _run([pg_tool("pg_restore"), "--data-only", f"--table={table}", "--file=-", str(backup)], dict(os.environ))


def postgres_restore(url: URL, backup: Path, *, clean: bool) -> None:
    """``pg_restore`` into the database in one transaction (``--clean`` drops what it replaces)."""
    conninfo, env = _libpq(url)
    args = [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, f"--dbname={conninfo}", str(backup)], env)
