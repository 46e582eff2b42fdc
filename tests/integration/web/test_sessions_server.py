"""Integration: sessions live on the server, so ending one takes effect at once (issue 11).

Before: sign-out only cleared the browser's cookie, so a copy taken before sign-out still opened
``/account`` and the FTE API. Also the change-password page, and disabling or deleting a user.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import test_corr_fixtures as shared
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from web_helpers import Person, csrf_from

from gpworkforce.services import users
from gpworkforce.store.accounts import AuditLog, UserSession

app = shared.app
clean_corrections = shared.clean_corrections
engine = shared.engine
ctx = shared.ctx
make_user = shared.make_user
national_url = shared.national_url
signed_in = shared.signed_in

pytestmark = pytest.mark.usefixtures("clean_corrections")
SignedIn = Callable[[Person], Any]
FTE_API = "/api/practices/A81001/fte"


def _copy_of(client: TestClient, app: Any) -> TestClient:
    """Another browser holding a copy of ``client``'s cookies (a stolen or saved cookie)."""
    thief = TestClient(app)
    for name, value in client.cookies.items():
        thief.cookies.set(name, value)
    return thief


def _opens(client: TestClient) -> bool:
    account = client.get("/account", follow_redirects=False)
    return account.status_code == 200 and client.get(FTE_API).status_code == 200


def test_sign_out_ends_the_session_for_a_copied_cookie(
    app: Any, engine: Engine, make_user: Callable[..., Person], signed_in: SignedIn
) -> None:
    person = make_user("practice_manager", "A81001")
    client, token = signed_in(person)
    thief = _copy_of(client, app)
    assert _opens(thief)  # the copy works while the session is live
    assert client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert thief.get("/account", follow_redirects=False).status_code == 303
    assert thief.get(FTE_API).status_code == 401
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == person.id)) == 0


def test_the_database_holds_no_usable_session_token(
    engine: Engine, make_user: Callable[..., Person], signed_in: SignedIn
) -> None:
    person = make_user("practice_manager", "A81001")
    client, _ = signed_in(person)
    with engine.connect() as conn:
        (stored,) = conn.scalars(select(UserSession.token_hash).where(UserSession.user_id == person.id)).all()
    assert len(stored) == 64 and stored not in str(client.cookies.items())


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(
    app: Any, engine: Engine, make_user: Callable[..., Person], signed_in: SignedIn
) -> None:
    person = make_user("practice_manager", "A81001")
    laptop, _ = signed_in(person)
    phone, _ = signed_in(person)
    page = laptop.get("/account/password")
    assert page.status_code == 200 and 'autocomplete="new-password"' in page.text
    form = {"current_password": person.password, "csrf_token": csrf_from(page.text)}

    def submit(**fields: str) -> Any:
        return laptop.post("/account/password", data={**form, **fields}, follow_redirects=False)

    weak = submit(new_password="password1234", confirm_password="password1234")
    assert weak.status_code == 400 and "most commonly used" in weak.text
    mismatch = submit(new_password="plum cart seven lamps", confirm_password="plum cart seven lamp")
    assert mismatch.status_code == 400 and "do not match" in mismatch.text
    wrong = submit(current_password="not my password at all", new_password="plum cart seven lamps",
                   confirm_password="plum cart seven lamps")  # fmt: skip
    assert wrong.status_code == 400 and "current password is not right" in wrong.text
    assert _opens(phone)  # nothing changed yet
    no_csrf = laptop.post(
        "/account/password",
        data={"current_password": person.password, "new_password": "plum cart seven lamps",
              "confirm_password": "plum cart seven lamps"},
        follow_redirects=False,
    )  # fmt: skip
    assert no_csrf.status_code == 403

    done = submit(new_password="plum cart seven lamps", confirm_password="plum cart seven lamps")
    assert done.status_code == 303 and done.headers["location"] == "/account"
    assert "Your password has been changed" in laptop.get("/account").text
    assert _opens(laptop)
    assert phone.get("/account", follow_redirects=False).status_code == 303
    assert phone.get(FTE_API).status_code == 401
    with engine.connect() as conn:
        audited = conn.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "password_changed", AuditLog.user_id == person.id)
        )
    assert audited == 1
    fresh = TestClient(app)
    page = fresh.get("/sign-in")
    signed = fresh.post(
        "/sign-in",
        data={"email": person.email, "password": "plum cart seven lamps", "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert signed.status_code == 303


def test_disabling_and_deleting_a_user_end_their_sessions_at_once(
    engine: Engine, make_user: Callable[..., Person], signed_in: SignedIn
) -> None:
    person = make_user("practice_manager", "A81001")
    client, _ = signed_in(person)
    assert users.set_disabled(engine, person.email, True) == 1
    assert client.get("/account", follow_redirects=False).status_code == 303
    users.set_disabled(engine, person.email, False)
    assert client.get("/account", follow_redirects=False).status_code == 303  # enabling revives nothing

    other = make_user("practice_manager", "A81001")
    other_client, other_token = signed_in(other)
    assert other_client.put(FTE_API, json={"gp": 2.5}, headers={"X-CSRF-Token": other_token}).is_success
    users.delete_user(engine, other.email)
    assert other_client.get(FTE_API).status_code == 401
    with engine.connect() as conn:  # what they did is still in the audit log, with who they were
        kept = conn.scalars(select(AuditLog.action).where(AuditLog.entity_key == "A81001")).all()
        deleted = conn.scalar(select(AuditLog.before).where(AuditLog.action == "user_deleted"))
    assert kept and other.email in str(deleted)
    users.set_disabled(engine, person.email, False)


def test_sign_in_sets_a_device_cookie_that_skips_the_delay(
    app: Any, make_user: Callable[..., Person], signed_in: SignedIn
) -> None:
    person = make_user("practice_manager", "A81001")
    client, token = signed_in(person)
    assert client.cookies.get("gpworkforce_device")
    client.post("/sign-out", data={"csrf_token": token})
    stranger = TestClient(app)
    for _ in range(12):  # an attacker guesses
        page = stranger.get("/sign-in")
        stranger.post(
            "/sign-in", data={"email": person.email, "password": "a wrong guess!", "csrf_token": csrf_from(page.text)}
        )
    page = stranger.get("/sign-in")
    blocked = stranger.post(
        "/sign-in", data={"email": person.email, "password": person.password, "csrf_token": csrf_from(page.text)}
    )
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) <= 300 and "Wait" in blocked.text
    page = client.get("/sign-in")  # the owner's browser still has its device cookie
    back = client.post(
        "/sign-in",
        data={"email": person.email, "password": person.password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert back.status_code == 303
