"""Rough edges a new user hits, on all of England (TestClient): every invalid field reported at
once, unknown query fields ignored on pages (not on the API), a practice's "children" explained,
unknown downloads as NHS pages, and ``/api`` describing itself.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.national_db import national_template

from gpworkforce.web.app import create_app

HX = {"HX-Request": "true"}
TRACKERS = "utm_source=email&utm_medium=newsletter&fbclid=IwAR0abc&gclid=x1"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = national_template(tmp_path_factory)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GPWORKFORCE_CACHE_DIR", str(path.parent / "org-array-cache"))
        app = create_app(f"sqlite:///{path}", secret_key=secrets.token_urlsafe(32))
        with TestClient(app) as test_client:
            yield test_client


def _main(html: str) -> str:
    match = re.search(r"<main.*?</main>", html, re.S)
    assert match, "no <main>"
    return match.group(0)


def _summary_links(html: str) -> list[tuple[str, str]]:
    summary = re.search(r'nhsuk-error-summary__list">(.*?)</ul>', html, re.S)
    assert summary, "no error summary"
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary.group(1))


def test_practice_has_no_children_page_explains_instead_of_500(client: TestClient) -> None:
    page = client.get("/org/A81001/children")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    main = _main(page.text)
    assert "is a practice, so there are no organisations below it" in main
    assert 'href="/org/A81001"' in main  # back to the practice's own page
    fragment = client.get("/org/A81001/children", headers=HX)
    assert fragment.status_code == 404 and "<main" not in fragment.text
    assert "no organisations below it" in fragment.text
    assert client.get("/org/U89141/children").status_code == 200  # a PCN has practices


def test_tracking_parameters_are_ignored_on_pages(client: TestClient) -> None:
    plain = client.get("/org/A81001")
    tracked = client.get(f"/org/A81001?shift_share=0&{TRACKERS}")
    assert tracked.status_code == 200
    assert _main(tracked.text) == _main(plain.text)  # same page, and no tracker in its share link
    assert client.get(f"/org/A81001/results?{TRACKERS}", headers=HX).status_code == 200
    download = client.get(f"/org/A81001/download/summary.csv?{TRACKERS}")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "scenario" not in download.headers["content-disposition"]


def test_the_api_stays_strict_about_unknown_parameters(client: TestClient) -> None:
    response = client.get("/api/org/A81001/gap?shift_shar=0.3")
    assert response.status_code == 422
    assert "shift_shar: shift_shar: not a scenario setting" in response.json()["detail"]


def test_every_invalid_field_is_reported(client: TestClient) -> None:
    query = "year=3000&shift_share=9&minutes.gp=x"
    page = client.get(f"/org/A81001?{query}")
    assert page.status_code == 400
    links = _summary_links(page.text)
    assert [href for href, _ in links] == ["#lever-year", "#lever-shift_share", "#lever-minutes-gp"]
    for field in ("lever-year", "lever-shift_share", "lever-minutes-gp"):
        assert f'id="{field}-error"' in page.text  # each control marked, not only the first
    partial = client.get(f"/org/A81001/results?{query}", headers=HX)
    assert partial.status_code == 400
    assert [href for href, _ in _summary_links(partial.text)] == [href for href, _ in links]
    api = client.get(f"/api/org/A81001/gap?{query}")
    assert api.status_code == 422
    assert all(name in api.json()["detail"] for name in ("year:", "shift_share:", "minutes.gp:"))


def test_download_errors_are_nhs_pages(client: TestClient) -> None:
    unknown = client.get("/org/A81001/download/nope.csv")
    assert unknown.status_code == 404 and unknown.headers["content-type"].startswith("text/html")
    main = _main(unknown.text)
    assert "Page not found" in main and "There is no download called nope.csv" in main and "summary" in main
    children = client.get("/org/A81001/download/children.xlsx")
    assert children.status_code == 404 and "is a practice" in _main(children.text)
    bad = client.get("/org/A81001/download/summary.csv?shift_share=9&dna_rate=7")
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert "must be at most 100%" in bad.text and "must be at most 50%" in bad.text
    assert client.get("/org/NOPE1/download/summary.csv").status_code == 404
    as_json = client.get("/org/A81001/download/nope.csv", headers={"Accept": "application/json"})
    assert as_json.status_code == 404 and "no download called" in as_json.json()["detail"]


@pytest.mark.parametrize("path", ["/api", "/api/"])
def test_api_root_points_to_the_docs(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["docs"] == "/docs" and body["openapi"] == "/openapi.json"
    paths = {e["path"] for e in body["endpoints"]}
    assert "/api/org/{code}" in paths and all(p.startswith("/api/") for p in paths)


def test_unknown_api_path_says_where_the_docs_are(client: TestClient) -> None:
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found", "docs": "/docs", "openapi": "/openapi.json", "index": "/api/"}
