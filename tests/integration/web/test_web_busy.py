"""Concurrent writes through the web on a real SQLite file: sign-ins queue, every attempt is
counted in the transaction that checked it, and a write that cannot get the database in time
is a 503 "busy" with Retry-After, never a 500.

Issue 11: 30 simultaneous failed sign-ins gave 27 500s (``INSERT INTO audit_log ... database
is locked``); 20 simultaneous sign-ins to one account recorded only 2 failures.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from web_helpers import Person, csrf_from

from gpworkforce.store import make_engine, session_scope
from gpworkforce.store.accounts import AuditLog, LoginAttempt
from gpworkforce.web.app import create_app

SIGN_IN_ACTIONS = ("sign_in", "sign_in_failed", "sign_in_locked")


@pytest.fixture
def db_backend() -> str:
    return "sqlite"  # the busy behaviour under test is SQLite's


def _sign_in_once(app: FastAPI, email: str, password: str) -> int:
    """One browser: fetch the form (its own session and CSRF token), then post it."""
    client = TestClient(app)  # no lifespan: the sign-in pages need no national data
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return response.status_code


def _at_once(app: FastAPI, attempts: list[tuple[str, str]]) -> list[int]:
    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(lambda a: _sign_in_once(app, *a), attempts))


def _count(engine: Engine, model: type, *where: object) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_thirty_failed_sign_ins_at_once_are_all_answered_and_recorded(app: FastAPI, engine: Engine) -> None:
    statuses = _at_once(app, [(f"nobody{i}@example.org", secrets.token_urlsafe(16)) for i in range(30)])
    assert all(s < 500 for s in statuses), statuses
    assert set(statuses) <= {400, 429}
    assert _count(engine, LoginAttempt, LoginAttempt.success.is_(False)) == statuses.count(400)
    assert _count(engine, AuditLog, AuditLog.action.in_(SIGN_IN_ACTIONS)) == 30


def test_twenty_sign_ins_to_one_account_each_counted(
    app: FastAPI, engine: Engine, make_user: Callable[..., Person]
) -> None:
    person = make_user()
    attempts = [(person.email, secrets.token_urlsafe(16)) for _ in range(19)]
    attempts.insert(7, (person.email, person.password))
    statuses = _at_once(app, attempts)
    assert all(s < 500 for s in statuses), statuses
    assert set(statuses) <= {303, 400, 429}
    failures = _count(engine, LoginAttempt, LoginAttempt.success.is_(False))
    successes = _count(engine, LoginAttempt, LoginAttempt.success.is_(True))
    # Every checked attempt left its row; every attempt (checked or refused) left an audit row.
    assert failures == statuses.count(400)
    assert successes == statuses.count(303)
    assert _count(engine, AuditLog, AuditLog.action.in_(SIGN_IN_ACTIONS)) == 20


@pytest.fixture
def impatient_app(engine: Engine) -> Iterator[tuple[FastAPI, Path]]:
    """The app on an engine that gives up on the write lock after 0.3 s."""
    url = engine.url.render_as_string(hide_password=False)
    impatient = make_engine(url, busy_timeout=0.3)
    yield create_app(url, engine=impatient, secret_key=secrets.token_urlsafe(32)), Path(engine.url.database or "")
    impatient.dispose()


def test_a_write_kept_waiting_is_503_busy_with_retry_after(
    impatient_app: tuple[FastAPI, Path], engine: Engine, make_user: Callable[..., Person]
) -> None:
    app, path = impatient_app
    person = make_user()
    client = TestClient(app)
    token = csrf_from(client.get("/sign-in").text)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # an import holds the write lock
        form = {"email": person.email, "password": person.password, "csrf_token": token}
        response = client.post("/sign-in", data=form, follow_redirects=False)
        assert response.status_code == 503
        assert response.headers["retry-after"].isdigit()
        assert "busy" in response.text and "try again" in response.text
        api = client.post("/sign-in", data=form, headers={"accept": "application/json"}, follow_redirects=False)
        assert api.status_code == 503
        assert "try again" in api.json()["detail"]
        assert client.get("/sign-in").status_code == 200  # reading goes on meanwhile
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _count(engine, LoginAttempt) == 0  # nothing half-written
    response = client.post(
        "/sign-in",
        data={"email": person.email, "password": person.password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303  # once the lock is free the same request works


def test_the_client_address_is_the_peer_not_a_forwarded_header(
    app: FastAPI, engine: Engine, make_user: Callable[..., Person]
) -> None:
    """Without a trusted proxy (``serve --forwarded-allow-ips``) X-Forwarded-For is ignored."""
    client = TestClient(app)
    page = client.get("/sign-in")
    client.post(
        "/sign-in",
        data={"email": "x@example.org", "password": "not-the-password", "csrf_token": csrf_from(page.text)},
        headers={"x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9"},
    )
    with session_scope(engine) as s:
        ips = set(s.scalars(select(LoginAttempt.ip)))
    assert ips == {"testclient"}


def test_the_password_is_hashed_before_the_write_lock_is_taken(
    app: FastAPI, engine: Engine, make_user: Callable[..., Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Argon2 takes tens of milliseconds; a sign-in that hashed while holding SQLite's one write
    lock made every other writer queue behind it under load (issue 11's remaining item)."""
    from gpworkforce.services import accounts

    person = make_user()
    path = Path(engine.url.database or "")
    lock_free_while_hashing: list[bool] = []
    real = accounts._hasher

    class Probe:
        """The real hasher, checking on a second connection whether the write lock is free."""

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def verify_and_update(self, password: str, stored: str) -> tuple[bool, str | None]:
            other = sqlite3.connect(path, isolation_level=None, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                lock_free_while_hashing.append(True)
            except sqlite3.OperationalError:
                lock_free_while_hashing.append(False)
            finally:
                other.close()
            return real.verify_and_update(password, stored)

    monkeypatch.setattr(accounts, "_hasher", Probe())
    assert _sign_in_once(app, person.email, person.password) == 303
    assert lock_free_while_hashing == [True]
    assert _count(engine, LoginAttempt, LoginAttempt.success.is_(True)) == 1
