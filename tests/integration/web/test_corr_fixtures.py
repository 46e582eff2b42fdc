"""Fixtures for the FTE-correction, scenario and audit tests (no tests here).

Test modules re-export them (``engine = shared.engine`` ...) so pytest finds them per module.

All of England from the shipped snapshot takes ~15 s to load and ~7 s to turn into national
arrays, so:

- one SQLite template is built per test run (shared by xdist workers through a file lock) and
  copied once per process into ``national_url``;
- every test in the process shares that database and one analysis ``Workspace``, so the national
  arrays are built once; tests create users with unique addresses and assert on their own rows;
- :func:`clean_corrections` (autouse where imported) removes FTE corrections after each test.
  With no corrections the data fingerprint is the original one again, so the cached arrays
  stay valid for the next test.
"""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from tests.national_db import national_template
from web_helpers import Person

from gpworkforce.reference import load_reference
from gpworkforce.services.accounts import create_user
from gpworkforce.services.importing import database_is_empty
from gpworkforce.services.versions import Workspace
from gpworkforce.store import make_engine, session_scope, upgrade
from gpworkforce.store.tables import PracticeFteOverride
from gpworkforce.web.app import create_app

_PROCESS: dict[str, Any] = {}


@pytest.fixture(scope="session")
def national_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """This process's copy of the national template (one per process, shared by all its tests)."""
    if "url" not in _PROCESS:
        os.environ.setdefault("GPWORKFORCE_CACHE_DIR", str(tmp_path_factory.mktemp("national-cache")))
        folder = tmp_path_factory.mktemp("national-db")
        shutil.copyfile(national_template(tmp_path_factory), folder / "gpworkforce.db")
        url = f"sqlite:///{folder / 'gpworkforce.db'}"
        engine = make_engine(url)
        upgrade(engine)
        assert not database_is_empty(engine)
        _PROCESS["url"] = url
        _PROCESS["engine"] = engine
        _PROCESS["ctx"] = Workspace(engine, load_reference())
    return str(_PROCESS["url"])


@pytest.fixture
def engine(national_url: str) -> Engine:
    """Replaces the conftest's fresh empty database: the shared national one."""
    eng: Engine = _PROCESS["engine"]
    return eng


@pytest.fixture
def ctx(national_url: str) -> Workspace:
    """The process-wide analysis context on the national database."""
    context: Workspace = _PROCESS["ctx"]
    return context


def make_app(engine: Engine, ctx: Workspace) -> FastAPI:
    """The real app on the national database, sharing the process's Workspace (arrays built once)."""
    application = create_app(
        engine.url.render_as_string(hide_password=False), engine=engine, secret_key=secrets.token_urlsafe(32)
    )
    application.state.ctx = ctx
    if hasattr(application.state, "dashboard"):  # the organisation pages' report cache, one per process
        if "dashboard" not in _PROCESS:
            _PROCESS["dashboard"] = type(application.state.dashboard)(ctx)
        application.state.dashboard = _PROCESS["dashboard"]
    return application


@pytest.fixture
def app(engine: Engine, ctx: Workspace) -> FastAPI:
    """See :func:`make_app`."""
    return make_app(engine, ctx)


@pytest.fixture
def make_user(engine: Engine) -> Callable[..., Person]:
    """``make_user(role, org_code)`` with a unique address (the database outlives the test)."""

    def make(role: str = "practice_manager", org_code: str | None = "A81001") -> Person:
        address = f"{role}.{uuid.uuid4().hex[:10]}@example.org"
        password = secrets.token_urlsafe(16)
        with session_scope(engine) as session:
            user = create_user(session, address, password, role, None if role == "admin" else org_code)
            return Person(user.id, user.email, password, user.role, user.org_code)

    return make


@pytest.fixture
def clean_corrections(engine: Engine) -> Iterator[None]:
    """Remove every FTE correction after the test, restoring the original data fingerprint."""
    yield
    with session_scope(engine) as session:
        session.execute(delete(PracticeFteOverride))


@pytest.fixture
def signed_in(app: FastAPI, sign_in: Callable[[TestClient, str, str], str]) -> Iterator[Callable[[Person], Any]]:
    """``client, token = signed_in(person)``: a TestClient signed in as ``person`` and its CSRF token."""
    clients: list[TestClient] = []

    def open_client(person: Person) -> tuple[TestClient, str]:
        # Not entered as a context manager: the start-up warm-up would rebuild the national
        # arrays after every correction, and these tests do not need it.
        client = TestClient(app)
        clients.append(client)
        return client, sign_in(client, person.email, person.password)

    yield open_client
    for client in clients:
        client.close()
