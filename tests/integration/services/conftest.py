"""Service fixtures: a database holding the shipped national snapshot (once per test process and
backend), and users on the migrated ``engine`` for the account and scenario services."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from gpworkforce import store
from gpworkforce.services.importing import ensure_database
from gpworkforce.services.versions import Workspace, open_workspace


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def national_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, monkeypatch_session: pytest.MonkeyPatch
) -> Iterator[str]:
    """URL of a database built from the snapshot (as `make run` builds it) on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("national") / "gpworkforce.db"
        shutil.copyfile(request.getfixturevalue("national_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    else:
        base = request.getfixturevalue("pg_url")
        admin = store.make_engine(base, isolation_level="AUTOCOMMIT")
        name = f"gpw_national_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    engine, _ = ensure_database(url)
    engine.dispose()
    yield url


@pytest.fixture(scope="session")
def monkeypatch_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pytest.MonkeyPatch]:
    """Keep the national-array cache of tests out of the user's cache directory."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GPWORKFORCE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield mp
    mp.undo()


@pytest.fixture(scope="session")
def ctx(national_url: str) -> Workspace:
    """Services context on the national database."""
    return open_workspace(national_url)


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    from gpworkforce.services.importing import SNAPSHOT_DIR

    return SNAPSHOT_DIR


# --- Accounts, audit and saved scenarios on the migrated ``engine`` (tests/integration/conftest.py) ---
