"""The web app through FastAPI's TestClient: sign-in, CSRF, cookies, headers, errors, assets."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from web_helpers import Person, csrf_from

from gpworkforce.services import accounts as svc
from gpworkforce.services.sign_in_limits import ACCOUNT_FREE_FAILURES
from gpworkforce.store.accounts import AuditLog, User
from gpworkforce.web.app import create_app
from gpworkforce.web.deps import RequireAdmin, RequireUser
from gpworkforce.web.security import InsecureSecretKey, unmask_token

SignIn = Callable[[TestClient, str, str], str]
MakeUser = Callable[..., Person]


@pytest.fixture
def db_backend() -> str:
    """Web behaviour does not depend on the database; the service tests cover PostgreSQL."""
    return "sqlite"


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    """The real app plus probe routes for dependencies and the 500 page."""

    @app.get("/api/me")
    def api_me(user: RequireUser) -> dict[str, str]:
        return {"email": user.email}

    @app.get("/admin-only")
    def admin_only(user: RequireAdmin) -> dict[str, str]:
        return {"email": user.email}

    @app.post("/api/echo")
    def api_echo() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    return app


@pytest.fixture
def person(make_user: MakeUser) -> Person:
    return make_user("pcn_lead", "U11111")


# --- Sign in and out --------------------------------------------------------------------------


def test_sign_in_flow(client: TestClient, person: Person, engine: Engine) -> None:
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in?next=/account"

    page = client.get("/sign-in?next=/account")
    assert page.status_code == 200
    before = csrf_from(page.text)
    response = client.post(
        "/sign-in",
        data={"email": person.email.upper(), "password": person.password, "next": "/account", "csrf_token": before},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/account"

    account = client.get("/account")
    assert account.status_code == 200
    assert person.email in account.text and "PCN lead" in account.text and "U11111" in account.text
    after = csrf_from(account.text)
    assert after != before  # token rotated at sign-in

    # The old token no longer works.
    assert client.post("/sign-out", data={"csrf_token": before}).status_code == 403
    response = client.post("/sign-out", data={"csrf_token": after}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/sign-in"
    assert "You have signed out" in client.get("/sign-in").text
    assert client.get("/account", follow_redirects=False).status_code == 303

    with Session(engine) as db:
        actions = db.scalars(select(AuditLog.action).where(AuditLog.user_id == person.id)).all()
    assert actions == ["sign_in", "sign_out"]


def test_wrong_password_shows_error_summary(client: TestClient, person: Person) -> None:
    token = csrf_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in", data={"email": person.email, "password": "wrong-password-1", "csrf_token": token}
    )
    assert response.status_code == 400
    assert 'class="nhsuk-error-summary"' in response.text
    assert "Enter a correct email address and password" in response.text
    assert "<title>Error: Sign in" in response.text
    assert f'value="{person.email}"' in response.text  # email kept, password not
    assert "wrong-password-1" not in response.text
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_empty_fields_get_field_errors(client: TestClient) -> None:
    token = csrf_from(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"csrf_token": token})
    assert response.status_code == 400
    assert '<a href="#email">Enter your email address</a>' in response.text
    assert '<a href="#password">Enter your password</a>' in response.text
    assert 'aria-describedby="email-error"' in response.text
    assert "nhsuk-form-group--error" in response.text


def test_failed_sign_ins_slow_the_account_down_with_retry_after(client: TestClient, person: Person) -> None:
    token = csrf_from(client.get("/sign-in").text)
    for _ in range(ACCOUNT_FREE_FAILURES):
        response = client.post(
            "/sign-in", data={"email": person.email, "password": "wrong-password-1", "csrf_token": token}
        )
        assert response.status_code == 400
    response = client.post("/sign-in", data={"email": person.email, "password": person.password, "csrf_token": token})
    assert response.status_code == 429 and response.headers["Retry-After"] == "2"
    assert "too many failed attempts" in response.text and "Wait 2 seconds" in response.text


def test_open_redirect_is_refused(client: TestClient, person: Person, sign_in: SignIn) -> None:
    sign_in(client, person.email, person.password)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = client.get("/sign-in", params={"next": target}, follow_redirects=False)
        # Refused like no target at all: the user's own organisation page.
        assert response.status_code == 303 and response.headers["location"] == "/org/U11111"


def test_disabled_user_and_password_change_end_sessions(
    client: TestClient, person: Person, sign_in: SignIn, engine: Engine
) -> None:
    sign_in(client, person.email, person.password)
    assert client.get("/account").status_code == 200
    with Session(engine) as db:
        user = db.get(User, person.id)
        assert user is not None
        svc.set_password(db, user, "a brand new passphrase")
        db.commit()
    assert client.get("/account", follow_redirects=False).status_code == 303  # session no longer valid

    sign_in(client, person.email, "a brand new passphrase")
    with Session(engine) as db:
        user = db.get(User, person.id)
        assert user is not None
        user.disabled = True
        db.commit()
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_header_shows_the_signed_in_user(client: TestClient, person: Person, sign_in: SignIn) -> None:
    assert 'href="/sign-in"' in client.get("/").text
    sign_in(client, person.email, person.password)
    home = client.get("/").text
    assert person.email in home and 'action="/sign-out"' in home
    not_found = client.get("/missing")
    assert not_found.status_code == 404 and person.email in not_found.text  # error pages too


# --- CSRF -------------------------------------------------------------------------------------


def test_csrf_missing_or_wrong_on_forms_is_403(client: TestClient, person: Person) -> None:
    client.get("/sign-in")  # a session with a token exists
    form = {"email": person.email, "password": person.password}
    missing = client.post("/sign-in", data=form)
    assert missing.status_code == 403
    assert "Sorry, we could not process your request" in missing.text and "nhsuk-header" in missing.text
    wrong = client.post("/sign-in", data={**form, "csrf_token": secrets.token_urlsafe(32)})
    assert wrong.status_code == 403
    # Nothing was attempted: the request never reached the route.
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_csrf_without_session_is_403(client: TestClient, person: Person) -> None:
    response = client.post("/sign-in", data={"email": person.email, "password": person.password, "csrf_token": ""})
    assert response.status_code == 403


def test_csrf_htmx_header(client: TestClient, person: Person, sign_in: SignIn) -> None:
    token = sign_in(client, person.email, person.password)
    htmx = {"HX-Request": "true"}
    assert client.post("/sign-out", headers=htmx).status_code == 403
    assert client.post("/sign-out", headers={**htmx, "X-CSRF-Token": token[:-2] + "xx"}).status_code == 403
    response = client.post("/sign-out", headers={**htmx, "X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_csrf_json_and_other_methods(client: TestClient, person: Person, sign_in: SignIn) -> None:
    token = sign_in(client, person.email, person.password)
    response = client.post("/api/echo", json={"a": 1})
    assert response.status_code == 403 and response.json() == {"detail": "Sorry, we could not process your request"}
    assert client.post("/api/echo", json={"a": 1}, headers={"X-CSRF-Token": token}).json() == {"ok": True}
    for method in ("PUT", "PATCH", "DELETE"):
        assert client.request(method, "/api/echo").status_code == 403  # checked before routing (405)


def test_csrf_multipart_form(client: TestClient, person: Person, sign_in: SignIn) -> None:
    token = sign_in(client, person.email, person.password)
    files = {"upload": ("a.csv", b"x,y\n1,2\n", "text/csv")}
    assert client.post("/sign-out", files=files, data={"other": "1"}).status_code == 403
    response = client.post("/sign-out", files=files, data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_cross_site_fetch_is_refused(client: TestClient, person: Person, sign_in: SignIn) -> None:
    token = sign_in(client, person.email, person.password)
    response = client.post("/sign-out", headers={"X-CSRF-Token": token, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_every_page_carries_the_token_for_htmx(client: TestClient) -> None:
    page = client.get("/").text
    match = re.search(r"""<body hx-headers='\{"X-CSRF-Token": "([^"]+)"\}'>""", page)
    assert match is not None
    form_token = csrf_from(client.get("/sign-in").text)
    # One session token, masked afresh in every response (pages are gzipped: BREACH).
    assert match.group(1) != form_token and unmask_token(match.group(1)) == unmask_token(form_token) is not None


# --- Cookies and headers ----------------------------------------------------------------------


def test_session_cookie_flags(client: TestClient) -> None:
    cookie = client.get("/sign-in").headers["set-cookie"]
    assert cookie.startswith("gpworkforce_session=")
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path", "max-age"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in flags  # plain-HTTP default; see the HTTPS test


def test_https_only_cookie_and_hsts(engine: Engine) -> None:
    app = create_app(str(engine.url), engine=engine, secret_key=secrets.token_urlsafe(32), https_only=True)
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/sign-in")
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-gpworkforce_session=")
        assert "secure" in cookie.lower() and "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert "domain=" not in cookie.lower()
        assert response.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize("path", ["/", "/sign-in", "/missing", "/healthz", "/static/css/app.css", "/vendor/plotly.css"])
def test_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in headers
    cacheable = path.startswith(("/static/", "/vendor/"))
    assert headers["cache-control"] == ("no-cache" if cacheable else "no-store")


def test_csrf_failure_and_server_error_pages_have_headers(app: FastAPI) -> None:
    with TestClient(app, raise_server_exceptions=False) as client:
        forbidden = client.post("/sign-out")
        crashed = client.get("/boom")
    for response in (forbidden, crashed):
        assert response.headers["x-frame-options"] == "DENY"
        assert "content-security-policy" in response.headers
    assert crashed.status_code == 500
    assert "Sorry, there is a problem with the service" in crashed.text and "kaboom" not in crashed.text


# --- Access control ---------------------------------------------------------------------------


def test_require_user_answers_by_client_kind(client: TestClient, person: Person, sign_in: SignIn) -> None:
    api = client.get("/api/me")
    assert api.status_code == 401 and api.json() == {"detail": "Not signed in"}
    htmx = client.get("/account", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/sign-in?next=/account"
    page = client.get("/account?tab=x", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/sign-in?next=/account%3Ftab%3Dx"
    sign_in(client, person.email, person.password)
    assert client.get("/api/me").json() == {"email": person.email}


def test_require_role(client: TestClient, make_user: MakeUser, sign_in: SignIn) -> None:
    manager = make_user("practice_manager", "A81001")
    sign_in(client, manager.email, manager.password)
    forbidden = client.get("/admin-only")
    assert forbidden.status_code == 403 and "You do not have permission" in forbidden.text
    client.cookies.clear()
    admin = make_user("admin")
    sign_in(client, admin.email, admin.password)
    assert client.get("/admin-only").json() == {"email": admin.email}


# --- Configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["changeme", "secret", "changeme" * 5, "x" * 40])
def test_placeholder_secret_is_refused(engine: Engine, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InsecureSecretKey):
        create_app(str(engine.url), engine=engine, secret_key=key)
    monkeypatch.setenv("GPWORKFORCE_SECRET_KEY", key)
    with pytest.raises(InsecureSecretKey):
        create_app(str(engine.url), engine=engine)


def test_database_url_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path) -> None:
    db_file = tmp_path / "env" / "gpworkforce.db"
    db_file.parent.mkdir()
    db_file.write_bytes(sqlite_template.read_bytes())
    monkeypatch.setenv("GPWORKFORCE_DATABASE_URL", f"sqlite:///{db_file}")
    monkeypatch.delenv("GPWORKFORCE_SECRET_KEY", raising=False)
    app = create_app()
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    assert (db_file.parent / "gpworkforce-secret-key").stat().st_mode & 0o777 == 0o600


# --- Pages and assets -------------------------------------------------------------------------


def test_pages_have_no_inline_script_or_style(client: TestClient, person: Person, sign_in: SignIn) -> None:
    pages = [client.get("/").text, client.get("/sign-in").text, client.get("/missing").text]
    sign_in(client, person.email, person.password)
    pages.append(client.get("/account").text)
    for html in pages:
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, tag
        assert "<style" not in html
        assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
        assert "https://" not in html.replace(
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", ""
        )
        assert "Contains public sector information licensed under the" in html


def test_nhs_layout(client: TestClient) -> None:
    html = client.get("/").text
    for marker in (
        'class="nhsuk-skip-link"',
        'href="#maincontent"',
        'class="nhsuk-header"',
        'class="nhsuk-header__service-name">GP workforce planner<',
        'id="maincontent"',
        'class="nhsuk-footer"',
        '<html lang="en">',
        "Source: NHS England (NHS Digital); OHID Fingertips.",
    ):
        assert marker in html


def test_assets_are_served_locally(client: TestClient) -> None:
    html = client.get("/").text
    local = re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', html)
    assert len(local) >= 5
    for path in local:
        assert client.get(path).status_code == 200, path
    plotly_js = client.get("/vendor/plotly.min.js")  # the old address still works
    assert plotly_js.status_code == 200 and plotly_js.headers["content-type"].startswith("text/javascript")
    css = client.get("/static/vendor/nhsuk-frontend/nhsuk-frontend.min.css").text
    assert "@font-face" not in css and "assets.nhs.uk" not in css
    assert client.get("/favicon.ico").status_code == 200
    # API docs are served offline (vendored Swagger UI), never from a CDN
    docs = client.get("/docs")
    assert docs.status_code == 200 and client.get("/openapi.json").status_code == 200
    assert "cdn" not in docs.text.lower() and "unpkg" not in docs.text.lower()


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_database_failure(engine: Engine) -> None:
    from sqlalchemy import create_engine

    broken = create_engine("sqlite:////nonexistent-dir/x.db")
    app = create_app("sqlite:////nonexistent-dir/x.db", engine=broken, secret_key=secrets.token_urlsafe(32))
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "unavailable"
