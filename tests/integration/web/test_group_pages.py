"""A user-defined practice group works on every page, API report and download (issue 12)."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gpworkforce import store
from gpworkforce.services import practice_groups
from gpworkforce.services.versions import open_workspace
from gpworkforce.web.app import create_app

GROUP = "FED-WEB"


@pytest.fixture(scope="module")
def client(national_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("group-web") / "gpworkforce.db"
    shutil.copyfile(national_sqlite_template, path)
    url = f"sqlite:///{path}"
    ws = open_workspace(url)
    with store.session_scope(ws.engine, write=True) as s:
        practice_groups.save_group(s, ws.version(), None, GROUP, "West federation", ("A81001", "A81002", "A81004"))
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
