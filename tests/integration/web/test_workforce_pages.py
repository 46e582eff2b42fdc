"""Integration: retirement risk and the supply projection on the web (issue 12): the page, its HTMX
parts and downloads at practice, PCN, ICB, England and a group; server-side sorting; bounded query
fields (4xx naming the field); the admin-only RAG thresholds form (CSRF, audit) changing a RAG."""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from web_helpers import csrf_from

from gpworkforce import store
from gpworkforce.frames import GP_AGE_BANDS
from gpworkforce.services import practice_groups
from gpworkforce.services.accounts import create_user
from gpworkforce.services.versions import open_workspace
from gpworkforce.store.accounts import AuditLog
from gpworkforce.web.app import create_app

GROUP = "FED-WF"
SUB_ICB = "16C"
PASSWORD = secrets.token_urlsafe(16)
USERS = {"practice_manager": "A81001", "icb_analyst": "QHM", "admin": None}
#: Cheap projections for tests (the page's defaults are 10 years and 200 draws).
SMALL = "preset=hee-80&years=2&draws=20"


@pytest.fixture(scope="module")
def client(national_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The snapshot with GP ages for sub-ICB 16C's practices (40% of each practice's GPs aged 55-59, the
    rest 40-44), a group and one user of each role."""
    path = tmp_path_factory.mktemp("workforce-web") / "gpworkforce.db"
    shutil.copyfile(national_sqlite_template, path)
    url = f"sqlite:///{path}"
    ws = open_workspace(url)
    data = ws.version().data
    rows = np.flatnonzero(data.practices["sub_icb_code"].to_numpy() == SUB_ICB)
    hc = data.staff_headcount[rows, 0]
    ok = np.isfinite(hc) & (hc >= 3)
    records = []
    for code, n in zip(data.practices["practice_code"].to_numpy()[rows[ok]], np.round(hc[ok]), strict=True):
        band = {b: 0.0 for b in GP_AGE_BANDS}
        band["55_59"], band["40_44"] = 0.4 * n, 0.6 * n  # exactly 40%, whatever n
        records += [{"practice_code": code, "age_band": b, "headcount": v} for b, v in band.items()]
    with store.session_scope(ws.engine, write=True) as s:
        store.save_dataset(s, "gp_age", "2026-06", pd.DataFrame(records), "test_gp_age.csv")
        practice_groups.save_group(s, ws.version(), None, GROUP, "West federation", ("A81001", "A81002", "A81004"))
        for role, org in USERS.items():
            create_user(s, f"{role}@example.org", PASSWORD, role, org)
    ws.engine.dispose()
    with TestClient(create_app(url, secret_key=secrets.token_urlsafe(32))) as test_client:
        yield test_client


def _signed_in(client: TestClient, role: str) -> tuple[TestClient, str]:
    browser = TestClient(client.app)
    page = browser.get("/sign-in")
    data = {"email": f"{role}@example.org", "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    assert browser.post("/sign-in", data=data, follow_redirects=False).status_code == 303
    return browser, csrf_from(browser.get("/account").text)


CODES = ["A81001", "U89141", "QHM", SUB_ICB, "england", GROUP]


@pytest.mark.parametrize("code", CODES)
def test_parts_and_downloads_answer_at_every_level(client: TestClient, code: str) -> None:
    retirement = client.get(f"/org/{code}/workforce/retirement")
    assert retirement.status_code == 200, retirement.text[:300]
    assert 'id="table-retirement"' in retirement.text and "Ages of gps from" in retirement.text
    supply = client.get(f"/org/{code}/workforce/supply?{SMALL}")
    assert supply.status_code == 200, supply.text[:300]
    for chart in ("chart-supply-fte", "chart-supply-gap", "chart-supply-gps"):
        assert f'data-plotly-figure="{chart}-data"' in supply.text
    assert 'value="hee-80" selected' in supply.text
    csv = client.get(f"/org/{code}/download/retirement.csv")
    assert csv.status_code == 200 and csv.text.startswith("practice_code,practice_name,role,age_source")
    fte = client.get(f"/org/{code}/download/supply_fte.csv?{SMALL}")
    assert fte.status_code == 200 and "fte_p10" in fte.text.splitlines()[0]
    assert len(fte.text.splitlines()) == 1 + 3 * 2  # years 0..2 x two roles


def test_the_org_page_loads_both_parts_lazily(client: TestClient) -> None:
    page = client.get("/org/QHM").text
    assert 'hx-get="/org/QHM/workforce/retirement" hx-trigger="revealed"' in page
    assert 'hx-get="/org/QHM/workforce/supply" hx-trigger="revealed"' in page
    assert 'href="/org/QHM/workforce"' in page  # without JavaScript
    assert "table-retirement" not in page  # not computed on the dashboard's own request


def test_full_page_without_javascript(client: TestClient) -> None:
    page = client.get(f"/org/{SUB_ICB}/workforce?{SMALL}&sort=heads&dir=desc")
    assert page.status_code == 200
    assert 'id="table-retirement"' in page.text and 'id="chart-supply-fte"' in page.text
    assert 'aria-sort="descending"' in page.text
    assert "/static/" in page.text or "plotly" in page.text


def test_rag_tags_reasons_and_age_sources(client: TestClient) -> None:
    html = client.get(f"/org/{SUB_ICB}/workforce/retirement").text
    assert 'nhsuk-tag--grey">No age data' in html  # practice nurses: no age data loaded
    assert "of GP FTE aged 55+" in html  # a reason in words
    report = client.get(f"/api/org/{SUB_ICB}/retirement").json()
    published = sum(1 for r in report["tables"]["practices"] if r["role"] == "gp" and r["age_source"] == "published")
    assert f"Ages of gps from: {published} practices published" in " ".join(html.split())


def test_server_side_sort(client: TestClient) -> None:
    def heads(query: str) -> list[float]:
        html = client.get(f"/org/{SUB_ICB}/workforce/retirement?{query}").text
        rows = html.split('<tr class="nhsuk-table__row" data-practice')[1:]
        return [float(re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)[2].replace(",", "")) for row in rows]

    down, up = heads("sort=heads&dir=desc"), heads("sort=heads&dir=asc")
    assert down == sorted(down, reverse=True) and up == sorted(up) and down != up


def test_excel_downloads_carry_the_notes(client: TestClient) -> None:
    for name in ("retirement", "supply_gap"):
        body = client.get(f"/org/{SUB_ICB}/download/{name}.xlsx?{SMALL}")
        assert body.status_code == 200
        book = load_workbook(io.BytesIO(body.content))
        assert name in book.sheetnames and "notes" in book.sheetnames
        notes = " ".join(str(c.value) for row in book["notes"].iter_rows() for c in row if c.value)
        assert "GP ages" in notes


def test_an_estimate_says_so(client: TestClient) -> None:
    html = client.get(f"/org/england/workforce/supply?{SMALL}").text
    assert 'id="supply-estimate"' in html and "England&#39;s published age profile" in html
    assert "(estimate: England" in html  # in the chart's title, so an exported PNG says it too


@pytest.mark.parametrize(
    "query",
    [
        "preset=hee-90", "preset=" + "x" * 300, "years=0", "years=11", "years=1e400", "years=%00", "draws=0",
        "draws=1001", "draws=99999999999999999999", "draws=-1", "sort=password", "sort=heads&dir=sideways",
    ],
)  # fmt: skip
@pytest.mark.parametrize(
    "path", ["/org/A81001/workforce", "/org/A81001/workforce/supply", "/org/A81001/download/supply_fte.csv"]
)
def test_hostile_query_strings_are_4xx(client: TestClient, path: str, query: str) -> None:
    if path.endswith("supply") and query.startswith("sort"):
        query = "draws=abc"
    if "download" in path and query.startswith("sort"):
        query = "years=x"
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400, (path, query, response.status_code, response.text[:200])
    assert "Traceback" not in response.text


def test_unknown_organisation_is_404(client: TestClient) -> None:
    for path in ("/org/NOPE/workforce", "/org/NOPE/workforce/retirement", "/org/NOPE/workforce/supply"):
        assert client.get(path).status_code == 404


def _form(*values: str) -> dict[str, str]:
    return dict(zip(("red_share_55", "amber_share_55", "red_leave_5", "amber_leave_5"), values, strict=True))


def test_thresholds_admin_only_and_a_change_changes_a_rag(client: TestClient) -> None:
    anonymous = TestClient(client.app).get("/admin/retirement-thresholds", follow_redirects=False)
    assert anonymous.status_code in (303, 307) and "sign-in" in anonymous.headers["location"]
    for role in ("practice_manager", "icb_analyst"):
        browser, token = _signed_in(client, role)
        assert browser.get("/admin/retirement-thresholds").status_code == 403
        form = {f: "10" for f in ("red_share_55", "amber_share_55", "red_leave_5", "amber_leave_5")}
        assert browser.post("/admin/retirement-thresholds", data={**form, "csrf_token": token}).status_code == 403

    def rag() -> dict[str, str]:
        rows = client.get(f"/api/org/{SUB_ICB}/retirement").json()["tables"]["practices"]
        return {r["practice_code"]: r["rag"] for r in rows if r["role"] == "gp" and r["age_source"] == "published"}

    before = rag()
    assert before and "red" not in set(before.values())  # 40% aged 55+ is below the default red (50%)
    admin, token = _signed_in(client, "admin")
    assert 'id="thresholds-form"' in admin.get("/admin/retirement-thresholds").text
    bad = {**_form("30", "35", "abc", "35"), "csrf_token": token}
    refused = admin.post("/admin/retirement-thresholds", data=bad)
    assert refused.status_code == 400
    assert "must be below the red level" in refused.text and "enter a percentage" in refused.text
    assert rag() == before  # nothing written
    no_csrf = {k: v for k, v in bad.items() if k != "csrf_token"}
    assert admin.post("/admin/retirement-thresholds", data=no_csrf).status_code == 403
    good = {**_form("35", "20", "90", "80"), "csrf_token": token}
    saved = admin.post("/admin/retirement-thresholds", data=good, follow_redirects=False)
    assert saved.status_code == 303
    after = rag()
    assert set(after.values()) == {"red"}  # every published practice has 40% of GP FTE aged 55+ >= 35%
    html = client.get(f"/org/{SUB_ICB}/workforce/retirement").text
    assert "Thresholds: red at 35.0% of FTE aged 55+" in " ".join(html.split())
    with store.session_scope(client.app.state.engine) as s:
        entry = s.execute(select(AuditLog).where(AuditLog.entity == "retirement_thresholds")).scalars().all()[-1]
        assert entry.actor_role == "admin" and '"red_share_55": 0.35' in (entry.after or "")
    reset = admin.post(
        "/admin/retirement-thresholds", data={"action": "reset", "csrf_token": token}, follow_redirects=False
    )
    assert reset.status_code == 303 and rag() == before


def test_fan_charts_are_valid_plotly_figures(client: TestClient) -> None:
    from gpworkforce.web.figures import as_figure

    html = client.get(f"/org/{SUB_ICB}/workforce/supply?{SMALL}").text
    for chart in ("chart-supply-fte", "chart-supply-gap", "chart-supply-gps"):
        raw = re.search(rf'<div id="{chart}-data" class="app-chart__data" hidden>(.*?)</div>', html, re.DOTALL)
        assert raw, chart
        figure = json.loads(raw.group(1))
        as_figure(figure)  # validates every property (a misspelt one raises)
        bands = [t for t in figure["data"] if t.get("fill") == "tonexty"]
        assert bands, chart  # a P10-P90 band
        mids = [t for t in figure["data"] if str(t.get("name", "")).endswith("P50")]
        low = figure["data"][figure["data"].index(bands[0]) - 1]["y"]
        assert all(lo <= hi for lo, hi in zip(low, bands[0]["y"], strict=True))
        assert len(mids[0]["x"]) == 3  # years 0..2
