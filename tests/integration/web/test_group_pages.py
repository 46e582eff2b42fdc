"""A user-defined practice group works on every page, API report and download (issue 12)."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import csrf_from

from gpworkforce import store
from gpworkforce.services import practice_groups
from gpworkforce.services.accounts import create_user
from gpworkforce.services.versions import open_workspace
from gpworkforce.web.app import create_app

GROUP = "FED-WEB"
PASSWORD = secrets.token_urlsafe(16)
USERS = {"practice_manager": "A81001", "icb_analyst": "QHM", "admin": None}


@pytest.fixture(scope="module")
def client(national_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("group-web") / "gpworkforce.db"
    shutil.copyfile(national_sqlite_template, path)
    url = f"sqlite:///{path}"
    ws = open_workspace(url)
    with store.session_scope(ws.engine, write=True) as s:
        practice_groups.save_group(s, ws.version(), None, GROUP, "West federation", ("A81001", "A81002", "A81004"))
        for role, org in USERS.items():
            create_user(s, f"{role}@example.org", PASSWORD, role, org)
    ws.engine.dispose()
    with TestClient(create_app(url, secret_key=secrets.token_urlsafe(32))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "path",
    [
        f"/org/{GROUP}",
        f"/org/{GROUP}/results",
        f"/org/{GROUP}/children",
        f"/org/{GROUP}/children?by=pcn",
        f"/api/org/{GROUP}",
        f"/api/org/{GROUP}/gap",
        f"/api/org/{GROUP}/demand",
        f"/api/org/{GROUP}/capacity",
        f"/api/org/{GROUP}/benchmark",
        f"/api/org/{GROUP}/children",
        f"/org/{GROUP}/download/gap_roles.csv",
        f"/org/{GROUP}/download/children.xlsx",
        f"/org/{GROUP}/download/benchmarks.csv",
        f"/org/{GROUP}/workforce-table",
        f"/api/org/{GROUP}/workforce-table",
        f"/org/{GROUP}/download/workforce-table.xlsx",
    ],
)
def test_every_view_of_a_group_answers(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]


def test_the_group_page_names_the_group_and_lists_its_practices(client: TestClient) -> None:
    page = client.get(f"/org/{GROUP}").text
    assert "West federation" in page and "Practice group" in page
    children = client.get(f"/api/org/{GROUP}/children").json()
    codes = {row["code"] for row in children["tables"]["organisations"]}
    assert codes == {"A81001", "A81002", "A81004"}
    assert client.get(f"/api/org/{GROUP.lower()}").json()["organisation"]["level"] == "group"


def _signed_in(client: TestClient, role: str) -> tuple[TestClient, str]:
    browser = TestClient(client.app)
    page = browser.get("/sign-in")
    data = {"email": f"{role}@example.org", "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    assert browser.post("/sign-in", data=data, follow_redirects=False).status_code == 303
    return browser, csrf_from(browser.get("/account").text)


def test_anyone_sees_the_groups_but_only_admins_and_icb_analysts_change_them(client: TestClient) -> None:
    anonymous = TestClient(client.app).get("/groups")
    assert anonymous.status_code == 200 and "West federation" in anonymous.text
    assert 'id="group-form"' not in anonymous.text
    manager, token = _signed_in(client, "practice_manager")
    assert 'id="group-form"' not in manager.get("/groups").text
    form = {"code": "FED-PM", "name": "Mine", "practices": "A81001", "csrf_token": token}
    assert manager.post("/groups", data=form, follow_redirects=False).status_code == 403
    deleted = manager.post(f"/groups/{GROUP}/delete", data={"csrf_token": token}, follow_redirects=False)
    assert deleted.status_code == 403


def test_an_icb_analyst_saves_a_group_in_their_icb_and_is_refused_outside_it(client: TestClient) -> None:
    analyst, token = _signed_in(client, "icb_analyst")
    assert 'id="group-form"' in analyst.get("/groups").text
    bad = {"code": "FED-ICB", "name": "Locality", "practices": "A81001 A82003", "csrf_token": token}
    refused = analyst.post("/groups", data=bad, follow_redirects=False)
    assert refused.status_code == 400 and "Outside your organisation" in refused.text and "A82003" in refused.text
    no_csrf = {k: v for k, v in bad.items() if k != "csrf_token"}
    assert analyst.post("/groups", data=no_csrf, follow_redirects=False).status_code == 403
    good = {"code": "FED-ICB", "name": "Locality", "practices": "A81001\nA81002", "csrf_token": token}
    saved = analyst.post("/groups", data=good, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/org/FED-ICB"
    assert "Locality" in analyst.get("/org/FED-ICB").text
    gone = analyst.post("/groups/FED-ICB/delete", data={"csrf_token": token}, follow_redirects=False)
    assert gone.status_code == 303
    assert TestClient(client.app).get("/org/FED-ICB").status_code == 404


def test_the_workforce_table_page_has_a_row_per_practice_of_the_group_and_says_what_is_not_loaded(
    client: TestClient,
) -> None:
    page = client.get(f"/org/{GROUP}/workforce-table")
    assert page.status_code == 200
    for code in ("A81001", "A81002", "A81004"):
        assert f'href="/org/{code}"' in page.text
    assert "not loaded" in page.text  # the shipped data have no detailed file: no ages, no ANP/HCA split
    table = client.get(f"/api/org/{GROUP}/workforce-table").json()
    total = next(r for r in table["rows"] if r["kind"] == "total")
    assert total["practices"] == 3 and total["gp_headcount"] is None
    assert client.get("/org/QHM/workforce-table?standard=abc").status_code in (400, 422)
    assert client.get("/org/NOPE1/workforce-table").status_code == 404
