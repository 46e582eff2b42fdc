"""Sign-in that explains itself and returns the user where they were (same site only), or, for a
plain sign-in, to their own organisation; the footer's pages and the cookies they describe.
On the national database (the organisation pages render)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
import test_corr_fixtures as shared
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_helpers import Person, csrf_from

from gpworkforce.web.templating import FOOTER_LINKS

# Fixtures shared with the other correction and scenario tests (see test_corr_fixtures.py).
app = shared.app
ctx = shared.ctx
engine = shared.engine
make_user = shared.make_user
national_url = shared.national_url

MakeUser = Callable[..., Person]
OPEN_REDIRECTS = ("//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "http:/x")


def _post_sign_in(client: TestClient, person: Person, next_path: str | None) -> str:
    page = client.get("/sign-in", params={"next": next_path} if next_path else None)
    data = {"email": person.email, "password": person.password, "csrf_token": csrf_from(page.text)}
    if next_path is not None:
        data["next"] = next_path
    response = client.post("/sign-in", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return response.headers["location"]


def test_scenarios_signed_out_explains_then_returns(app: FastAPI, make_user: MakeUser) -> None:
    person = make_user("practice_manager", "A81001")
    with TestClient(app) as client:
        redirect = client.get("/scenarios", follow_redirects=False)
        assert redirect.status_code == 303 and redirect.headers["location"] == "/sign-in?next=/scenarios"
        page = client.get(redirect.headers["location"])
        assert 'id="sign-in-reason">Sign in to see your saved scenarios.<' in page.text
        assert 'name="next" value="/scenarios"' in page.text
        assert _post_sign_in(client, person, "/scenarios") == "/scenarios"
        assert "<h1>Saved scenarios</h1>" in client.get("/scenarios").text


@pytest.mark.parametrize(
    ("next_path", "reason"),
    [
        ("/scenarios/compare?s=baseline", "Sign in to compare your saved scenarios."),
        ("/org/A81001/fte", "Sign in to correct a practice's staff figures (FTE)."),
        ("/account", "Sign in to see your account."),
        ("/org/A81001", None),  # a public page: the user chose to sign in, nothing to explain
        ("//evil.example/scenarios", None),
    ],
)
def test_sign_in_page_says_why(app: FastAPI, next_path: str, reason: str | None) -> None:
    with TestClient(app) as client:
        text = client.get("/sign-in", params={"next": next_path}).text
    shown = re.search(r'id="sign-in-reason">([^<]+)<', text)
    assert (html.unescape(shown.group(1)) if shown else None) == reason


def test_plain_sign_in_lands_on_own_organisation(app: FastAPI, make_user: MakeUser) -> None:
    manager, admin = make_user("practice_manager", "A81001"), make_user("admin")
    with TestClient(app) as client:
        assert _post_sign_in(client, manager, None) == "/org/A81001"
        assert client.get("/org/A81001").status_code == 200
        # Already signed in: the sign-in page sends them on the same way.
        assert client.get("/sign-in", follow_redirects=False).headers["location"] == "/org/A81001"
    with TestClient(app) as client:
        assert _post_sign_in(client, admin, None) == "/"  # no organisation of their own


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_no_open_redirect_after_sign_in(app: FastAPI, make_user: MakeUser, target: str) -> None:
    person = make_user("pcn_lead", "U89141")
    with TestClient(app) as client:
        assert _post_sign_in(client, person, target) == "/org/U89141"  # as a plain sign-in


def test_header_sign_in_link_comes_back_here(app: FastAPI) -> None:
    with TestClient(app) as client:
        page = client.get("/org/A81001?shift_share=0.2")
        assert 'href="/sign-in?next=/org/A81001%3Fshift_share%3D0.2"' in page.text
        assert 'class="nhsuk-header__account-link" href="/sign-in"' in client.get("/").text


def test_footer_pages_and_the_cookies_they_name(app: FastAPI, make_user: MakeUser) -> None:
    person = make_user("practice_manager", "A81001")
    with TestClient(app) as client:
        home = client.get("/")
        footer = re.search(r"<footer.*?</footer>", home.text, re.S)
        assert footer
        for label, path in FOOTER_LINKS:
            assert f'href="{path}">{label}</a>' in footer.group(0)
            page = client.get(path)
            assert page.status_code == 200 and f"<title>{label} – " in page.text
        _post_sign_in(client, person, None)
        client.get("/org/A81001")
        cookies_page = client.get("/cookies").text
        table = re.search(r'<table class="nhsuk-table" id="cookie-table">.*?</table>', cookies_page, re.S)
        assert table and client.cookies.keys()
        for name in client.cookies:  # every cookie the app set is listed
            assert f"<code>{name}</code>" in table.group(0)
        privacy = client.get("/privacy").text
        assert person.email in privacy  # the header knows who is signed in on these pages too
        for stored in ("session", "audit log", "IP address", "staff figures", "password"):
            assert stored.lower() in privacy.lower(), stored
