"""Old codes on the national database (Oct-2025 and Jul-2026 mappings): the CLI, the pages and
the API say what a merged ICB became and that a closed practice closed; unknown codes stay 404."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.national_db import national_template
from typer.testing import CliRunner

from gpworkforce.cli import app as cli_app
from gpworkforce.services.organisations import SupersededOrganisation, UnknownOrganisation, code_history, resolve
from gpworkforce.services.versions import DataVersion, open_workspace
from gpworkforce.web.app import create_app

#: In the Oct-2025 GPAD mapping, not in the Jul-2026 registered-patients list.
CLOSED_PRACTICE = "A81065"
#: The sub-ICBs of NHS Essex ICB that now hold Mid and South Essex's practices.
QH8_SUB_ICBS = {"06Q", "99E", "07G", "99F", "99G"}


@pytest.fixture(scope="module")
def national_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("superseded") / "national.db"
    shutil.copyfile(national_template(tmp_path_factory), path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GPWORKFORCE_DATABASE_URL", f"sqlite:///{path}")
        mp.setenv("GPWORKFORCE_CACHE_DIR", str(path.parent / "cache"))
        yield f"sqlite:///{path}"


@pytest.fixture(scope="module")
def version(national_url: str) -> DataVersion:
    return open_workspace(national_url).version()


@pytest.fixture(scope="module")
def client(national_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(national_url, secret_key=secrets.token_urlsafe(32))) as test_client:
        yield test_client


def test_qh8_resolves_to_essex_with_its_sub_icbs(version: DataVersion) -> None:
    with pytest.raises(SupersededOrganisation) as caught:
        resolve(version, "qh8")
    change = caught.value.change
    assert (change.level, change.code, change.last_seen) == ("icb", "QH8", "2025-10")
    assert [(s.code, s.share_of_practices) for s in change.successors] == [("D7T5G", 1.0)]
    assert {p.code for p in change.parts} == QH8_SUB_ICBS
    assert sum(p.practices for p in change.parts) == change.practices


def test_every_old_icb_has_a_current_successor(version: DataVersion) -> None:
    h = code_history(version)
    icbs = h[(h["level"] == "icb") & (h["relation"] == "successor")]
    assert set(icbs["code"]) == {"QH8", "QHG", "QJG", "QM7", "QMJ", "QMM", "QNQ", "QNX", "QRV", "QU9", "QUE", "QXU"}
    current = set(version.data.practices["icb_code"])
    assert set(icbs["new_code"]) <= current
    shares = icbs.groupby("code")["share_of_patients"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)


def test_cli_gap_qh8_says_what_it_became(national_url: str) -> None:
    out = CliRunner().invoke(cli_app, ["gap", "QH8"])
    assert out.exit_code == 2
    text = " ".join(out.output.split())
    assert "ICB QH8" in text and "no longer in use (last seen 2025-10)" in text
    assert "now in ICB D7T5G (NHS Essex" in text
    assert all(code in text for code in QH8_SUB_ICBS)


@pytest.mark.parametrize("command", ["demand", "capacity", "benchmark"])
def test_cli_closed_practice_says_so(national_url: str, command: str) -> None:
    out = CliRunner().invoke(cli_app, [command, CLOSED_PRACTICE])
    assert out.exit_code == 2
    assert "closed or merged" in " ".join(out.output.split())


def test_cli_never_seen_code_keeps_the_old_message(national_url: str) -> None:
    out = CliRunner().invoke(cli_app, ["gap", "QZZ9"])
    assert out.exit_code == 2 and "unknown organisation" in out.output


def test_page_links_to_the_successor_and_sub_icbs(client: TestClient) -> None:
    r = client.get("/org/QH8")
    assert r.status_code == 410
    assert "is no longer in use" in r.text and 'href="/org/D7T5G"' in r.text
    assert all(f'href="/org/{code}"' in r.text for code in QH8_SUB_ICBS)
    partial = client.get("/org/QH8/results", headers={"HX-Request": "true"})
    assert partial.status_code == 410 and 'href="/org/D7T5G"' in partial.text


def test_page_for_a_closed_practice(client: TestClient) -> None:
    r = client.get(f"/org/{CLOSED_PRACTICE}")
    assert r.status_code == 410 and "closed or merged" in r.text


def test_never_seen_code_is_still_404(client: TestClient) -> None:
    assert client.get("/org/QZZ9").status_code == 404
    assert client.get("/api/org/QZZ9/gap").status_code == 404


@pytest.mark.parametrize("path", ["/api/org/QH8", "/api/org/QH8/gap", "/api/org/QH8/children"])
def test_api_410_with_superseded_by(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 410
    body = r.json()
    assert "no longer in use" in body["detail"]
    assert [(s["code"], s["level"], s["url"]) for s in body["superseded_by"]] == [("D7T5G", "icb", "/api/org/D7T5G")]
    assert "Essex" in body["superseded_by"][0]["name"]
    assert {p["code"] for p in body["now_in"]} == QH8_SUB_ICBS
    assert client.get(body["superseded_by"][0]["url"]).status_code == 200


def test_api_closed_practice(client: TestClient) -> None:
    r = client.get(f"/api/org/{CLOSED_PRACTICE}/demand")
    assert r.status_code == 410
    body = r.json()
    assert body["status"] == "closed or merged" and body["superseded_by"] == [] and body["last_seen"] == "2025-10"


def test_unknown_organisation_is_still_the_base_class() -> None:
    assert issubclass(SupersededOrganisation, UnknownOrganisation)


def test_search_for_an_old_code_offers_what_it_became(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "QH8"}).json()["results"]
    assert hits and hits[0]["code"] == "D7T5G"
    assert "ICB QH8" in hits[0]["detail"] and "no longer in use" in hits[0]["detail"]
    page = client.get("/search/results", params={"q": "qh8"}, headers={"HX-Request": "true"})
    assert page.status_code == 200 and "/org/D7T5G" in page.text
    # a current code is not affected
    assert client.get("/api/search", params={"q": "QHM"}).json()["results"][0]["code"] == "QHM"
