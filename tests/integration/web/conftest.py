"""Web and account-service fixtures on the migrated ``engine`` from tests/integration/conftest.py.

``engine`` runs a test on SQLite and on PostgreSQL; web tests pin SQLite with a module-level
``db_backend`` fixture. Passwords are random per test: there are no fixed test passwords.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from web_helpers import Person, csrf_from

from gpworkforce.services import accounts
from gpworkforce.services.accounts import create_user
from gpworkforce.store import session_scope
from gpworkforce.web.app import create_app


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
            user = create_user(session, address, password, role, None if role == "admin" else org_code)
            person = Person(user.id, user.email, password, user.role, user.org_code)
        return person

    return make


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    """The real app on the test database, with a random secret key."""
    return create_app(
        engine.url.render_as_string(hide_password=False), engine=engine, secret_key=secrets.token_urlsafe(32)
    )


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def sign_in() -> Callable[[TestClient, str, str], str]:
    """``sign_in(client, email, password)`` -> the CSRF token of the signed-in session."""

    def do(test_client: TestClient, email: str, password: str) -> str:
        page = test_client.get("/sign-in")
        response = test_client.post(
            "/sign-in",
            data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:500]
        return csrf_from(test_client.get("/account").text)

    return do
