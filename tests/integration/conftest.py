"""Database fixtures: every store test runs on SQLite and on a real PostgreSQL.

Each pytest process (each xdist worker) starts its own throwaway PostgreSQL server in a
temporary folder (initdb + pg_ctl, as the ``postgres`` user when running as root; see
STACK.md section 4) unless ``TEST_DATABASE_URL`` names an existing server. Each test gets
its own fresh database on it, so tests never see each other's rows.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from people import Person
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from gpworkforce.services import accounts
from gpworkforce.store import make_engine, session_scope, upgrade

APT_HINT = "apt-get install -y postgresql (the server binaries in /usr/lib/postgresql/<version>/bin)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _pg_bin() -> str:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    bins = [b for b in bins if os.path.exists(f"{b}/initdb") and os.path.exists(f"{b}/pg_ctl")]
    if not bins:
        pytest.fail(f"PostgreSQL server not installed; CI installs it: {APT_HINT}")
    return bins[-1]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a PostgreSQL server (its ``postgres`` database) that this process may use freely."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
        return
    pg_bin = _pg_bin()
    tmp = tempfile.mkdtemp(prefix="pgtest.")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb and pg_ctl refuse to run as root
        shutil.chown(tmp, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port, data = _free_port(), os.path.join(tmp, "data")
    try:
        subprocess.run(
            [
                *as_user,
                f"{pg_bin}/initdb",
                "-D",
                data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-N",
            ],
            check=True,
            capture_output=True,
        )
        opts = (
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [
                *as_user,
                f"{pg_bin}/pg_ctl",
                "-D",
                data,
                "-l",
                f"{tmp}/server.log",
                "-w",
                "-t",
                "30",
                "-o",
                opts,
                "start",
            ],
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as exc:
        log = Path(tmp, "server.log")
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.fail(f"could not start PostgreSQL: {exc.stderr!r}\n{detail}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, f"{pg_bin}/pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_admin(pg_url: str) -> Iterator[Engine]:
    """AUTOCOMMIT engine on the server's maintenance database, for CREATE/DROP DATABASE."""
    engine = create_engine(make_url(pg_url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    yield engine
    engine.dispose()


def _create_database(admin: Engine, name: str, template: str = "template1") -> None:
    # FILE_COPY: for small databases faster than PostgreSQL 15's default WAL_LOG strategy.
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY'))


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template(pg_url: str, pg_admin: Engine) -> Iterator[str]:
    """A database migrated to head once per process; migrated test databases are copies of it."""
    name = f"gpw_template_{uuid.uuid4().hex[:12]}"
    _create_database(pg_admin, name)
    eng = make_engine(_with_database(pg_url, name))
    upgrade(eng)
    eng.dispose()
    yield name
    _drop_database(pg_admin, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per process (checkpointed: all connections closed)."""
    path = tmp_path_factory.mktemp("sqlite_template") / "template.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    eng.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_backend(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    backend: str = request.param
    return backend


@pytest.fixture
def db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'gpworkforce.db'}"
        return
    pg_url: str = request.getfixturevalue("pg_url")
    admin: Engine = request.getfixturevalue("pg_admin")
    name = f"gpw_test_{uuid.uuid4().hex[:16]}"
    _create_database(admin, name)
    try:
        yield _with_database(pg_url, name)
    finally:
        _drop_database(admin, name)


@pytest.fixture
def migrated_db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Like ``db_url`` but already at head: a copy of the per-process template (much faster than migrating)."""
    if db_backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "db" / "gpworkforce.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    pg_url: str = request.getfixturevalue("pg_url")
    admin: Engine = request.getfixturevalue("pg_admin")
    name = f"gpw_test_{uuid.uuid4().hex[:16]}"
    _create_database(admin, name, template=request.getfixturevalue("pg_template"))
    try:
        yield _with_database(pg_url, name)
    finally:
        _drop_database(admin, name)


@pytest.fixture
def engine(migrated_db_url: str) -> Iterator[Engine]:
    """An engine on a fresh database at head (``upgrade`` runs too; on the copy it only checks the version)."""
    eng = make_engine(migrated_db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


# --- Users on the migrated ``engine``: shared by the service and web tests --------------------------


@pytest.fixture(autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Argon2id with tiny costs: same code path, ~1 ms instead of ~200 ms per hash.

    ``test_production_hash_parameters`` checks the real parameters separately.
    """
    previous = accounts.set_hasher(PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),)))
    yield
    accounts.set_hasher(previous)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session for arranging and checking data; tests commit explicitly."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def make_user(engine: Engine) -> Callable[..., Person]:
    """``make_user(role="practice_manager", org_code="A81001", email=None)`` -> committed Person."""
    counter = iter(range(1, 10_000))

    def make(role: str = "practice_manager", org_code: str | None = "A81001", email: str | None = None) -> Person:
        address = email or f"user{next(counter)}.{role}@example.org"
        password = secrets.token_urlsafe(16)
        with session_scope(engine) as session:
            user = accounts.create_user(session, address, password, role, None if role == "admin" else org_code)
            person = Person(user.id, user.email, password, user.role, user.org_code)
        return person

    return make
