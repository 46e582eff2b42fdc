"""The results body is cached in parts by what each depends on: reuse must never show stale numbers.

Why these tests: a part cached under too narrow a key (say the demand part without the year)
would show another scenario's figures and no other test would notice, since every number on
the page would still be well formed. So a results fragment served by an app that has seen many
other scenarios must equal, byte for byte, the fragment of an app that has seen nothing.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.national_db import national_template

from gpworkforce.web.app import create_app
from gpworkforce.web.routes.org import PARTS

HX = {"HX-Request": "true"}

#: Scenarios and table orders that share some parts and not others (year, shift, DNA, FTE, minutes, by, sort).
REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("QHM", {}),
    ("QHM", {"shift_share": "0.3"}),
    ("QHM", {"shift_share": "0.3", "year": "2030"}),
    ("QHM", {"shift_share": "0.1", "year": "2030"}),
    ("QHM", {"year": "2030", "dna_rate": "0.02"}),
    ("QHM", {"year": "2030", "added_fte.pharmacist": "10"}),
    ("QHM", {"year": "2030", "added_fte.pharmacist": "10", "minutes.gp": "12"}),
    ("QHM", {"shift_share": "0.3", "by": "pcn"}),
    ("QHM", {"shift_share": "0.3", "by": "pcn", "sort": "gap_per_week", "dir": "desc"}),
    ("QHM", {"shift_share": "0.3", "sort": "patients", "dir": "asc"}),
    ("A81001", {"shift_share": "0.3"}),
    ("A81001", {"shift_share": "0.3", "added_fte.gp": "1"}),
    ("U89141", {"year": "2032", "growth_rate": "0.02"}),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    path = national_template(tmp_path_factory)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GPWORKFORCE_CACHE_DIR", str(path.parent / "org-array-cache"))
        application = create_app(f"sqlite:///{path}", secret_key=secrets.token_urlsafe(32))
        with TestClient(application):
            yield application


def _forget(app: FastAPI) -> None:
    """Drop every cached part, report and model run: the next request computes from nothing."""
    memo = app.state.ctx.version().memo
    for name in ("parts", "reports", "runs", "derived"):
        memo(name).clear()


def test_a_warm_app_serves_what_a_cold_app_computes(app: FastAPI) -> None:
    client = TestClient(app)
    warm = [client.get(f"/org/{code}/results", params=params, headers=HX) for code, params in REQUESTS]
    for (code, params), served in zip(REQUESTS, warm, strict=True):
        assert served.status_code == 200, (code, params)
        _forget(app)
        cold = client.get(f"/org/{code}/results", params=params, headers=HX)
        assert served.text == cold.text, f"stale part for {code} {params}"
        assert served.headers["HX-Push-Url"] == cold.headers["HX-Push-Url"]


def test_full_page_matches_after_warm_fragments(app: FastAPI) -> None:
    client = TestClient(app)
    for code, params in REQUESTS[:4]:
        client.get(f"/org/{code}/results", params=params, headers=HX)
    params = {"shift_share": "0.3", "year": "2030"}
    warm = client.get("/org/QHM", params=params).text
    _forget(app)
    assert _unmasked(client.get("/org/QHM", params=params).text) == _unmasked(warm)


def _unmasked(html: str) -> str:
    """The page without its CSRF tokens, which are masked afresh in every response."""
    return re.sub(r'(X-CSRF-Token": "|name="csrf_token" value=")[^"]+', r"\1", html)


def _parts_cached(app: FastAPI) -> dict[str, int]:
    keys = list(app.state.ctx.version().memo("parts")._items)
    return {name: sum(1 for k in keys if k[0:2] == ("part", name)) for name in PARTS}


def test_moving_one_lever_rerenders_only_the_parts_it_changes(app: FastAPI) -> None:
    client = TestClient(app)
    _forget(app)
    client.get("/org/QHM/results", params={"shift_share": "0.1"}, headers=HX)
    client.get("/org/QHM/results", params={"shift_share": "0.2"}, headers=HX)
    after_shift = _parts_cached(app)
    # GP work shifted changes the cards, demand by category (it follows the lever), the gap and the
    # tables below; not capacity or benchmarks
    assert after_shift == {
        "summary": 2,
        "demand": 2,
        "gap": 2,
        "capacity": 1,
        "benchmarks": 1,
        "children": 2,
        "notes": 2,
    }
    client.get("/org/QHM/results", params={"shift_share": "0.2", "year": "2031"}, headers=HX)
    assert _parts_cached(app)["demand"] == 3 and _parts_cached(app)["capacity"] == 1
    client.get("/org/QHM/results", params={"shift_share": "0.2", "year": "2031", "minutes.gp": "12"}, headers=HX)
    assert _parts_cached(app)["demand"] == 3 and _parts_cached(app)["capacity"] == 2
    assert _parts_cached(app)["benchmarks"] == 1  # benchmarks take no scenario


def test_downloads_in_a_part_carry_only_the_fields_it_depends_on(app: FastAPI) -> None:
    """A shared demand part links to a download of the same numbers whichever scenario shows it."""
    client = TestClient(app)
    html = client.get("/org/QHM/results", params={"shift_share": "0.3", "year": "2030"}, headers=HX).text
    assert 'href="/org/QHM/download/age_bands.csv?year=2030&amp;shift_share=0.3"' in html
    assert 'href="/org/QHM/download/benchmarks.csv"' in html
    assert 'href="/org/QHM/download/capacity_roles.csv"' in html
    assert 'href="/org/QHM/download/gap_roles.csv?year=2030&amp;shift_share=0.3"' in html
    baseline = client.get("/org/QHM/download/age_bands.csv", params={"year": "2030"}).text
    scenario = client.get("/org/QHM/download/age_bands.csv", params={"year": "2030", "minutes.gp": "12"}).text
    assert baseline == scenario  # demand does not depend on slot lengths
    moved = client.get("/org/QHM/download/categories.csv", params={"year": "2030", "shift_share": "0.3"}).text
    assert moved != client.get("/org/QHM/download/categories.csv", params={"year": "2030"}).text


def test_a_due_data_check_runs_in_the_background_while_the_request_goes_on(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No request waits for the once-a-second check for other processes' writes."""
    from gpworkforce.services import versions

    dashboard = app.state.dashboard
    TestClient(app).get("/org/QHM")
    monkeypatch.setattr(versions, "FRESH_SECONDS", 3600.0)  # not due, however slow this machine is
    deadline = time.monotonic() + 30
    while dashboard._checking and time.monotonic() < deadline:  # a check the page started may still run
        time.sleep(0.01)
    checked_in: list[str] = []
    done = threading.Event()
    real = dashboard.snapshot

    def snapshot() -> object:
        checked_in.append(threading.current_thread().name)
        try:
            return real()
        finally:
            done.set()

    monkeypatch.setattr(dashboard, "snapshot", snapshot)
    assert dashboard.fresh_snapshot() is not None and checked_in == []  # not due: nothing to do
    monkeypatch.setattr(versions, "FRESH_SECONDS", 0.0)
    snap = dashboard.fresh_snapshot()
    assert snap is not None  # served from memory at once
    assert done.wait(30)
    assert checked_in == ["gpworkforce-data-check"]
    response = TestClient(app).get("/org/QHM/results", params={"shift_share": "0.25"}, headers=HX)
    assert response.status_code == 200
