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
from sqlalchemy import Engine
from web_helpers import csrf_from

from gpworkforce.web.app import create_app


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
