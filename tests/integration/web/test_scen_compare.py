"""Comparing saved scenarios: figures equal ``gap_report``, table, chart, CSV, access rules."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
import test_corr_fixtures as shared
from web_helpers import Person

from gpworkforce.reports.excel import XLSX_TYPE
from gpworkforce.scenario import Scenario
from gpworkforce.services.capacity import gap_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.versions import Workspace
from gpworkforce.web.scenario_compare import (
    CompareItem,
    comparison_csv,
    comparison_figure,
    comparison_rows,
    role_gap_figure,
)

# Fixtures shared with the other correction and scenario tests (see test_corr_fixtures.py).
app = shared.app
ctx = shared.ctx
engine = shared.engine
make_user = shared.make_user
national_url = shared.national_url
signed_in = shared.signed_in


HOME, HOME_PCN = "A81001", "U89141"
MakeUser = Callable[..., Person]
SignedIn = Callable[[Person], Any]


def create(client: Any, token: str, name: str, org: str, params: dict[str, Any], shared: bool = False) -> str:
    response = client.post(
        "/api/scenarios",
        json={"name": name, "org": org, "params": params, "shared": shared},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 201, response.text
    slug: str = response.json()["slug"]
    return slug


@pytest.fixture
def lead(make_user: MakeUser, signed_in: SignedIn) -> tuple[Any, str]:
    client, token = signed_in(make_user("pcn_lead", HOME_PCN))
    return client, token


def test_compare_figures_equal_gap_report(ctx: Workspace, lead: tuple[Any, str]) -> None:
    client, token = lead
    first = create(client, token, "Shift 30% in 2030", HOME, {"shift_share": 0.3, "year": 2030})
    second = create(client, token, "PCN with pharmacists", HOME_PCN, {"added_fte.pharmacist": 3, "dna_rate": 0.03})

    response = client.get(f"/api/scenarios/compare?s={first}&s={second}&s=baseline")
    assert response.status_code == 200, response.text
    got = response.json()["scenarios"]
    assert [g["key"] for g in got] == [first, second, f"baseline:{HOME}"]
    expected = [
        (HOME, Scenario(shift_share=0.3, year=2030)),
        (HOME_PCN, Scenario(added_fte={"pharmacist": 3.0}, dna_rate=0.03)),
        (HOME, Scenario()),
    ]
    for item, (org, scenario) in zip(got, expected, strict=True):
        report = gap_report(ctx.version(), org, scenario)
        for key, value in report.summary.model_dump().items():
            assert item["summary"][key] == pytest.approx(value), key
        roles = report.frames()["roles"].set_index("role")
        for role, figures in item["roles"].items():
            assert figures["gap_per_week"] == pytest.approx(roles.loc[role, "gap_per_week"])
            assert figures["demand_per_week"] == pytest.approx(roles.loc[role, "demand_per_week"])
        patients = demand_report(ctx.version(), org, scenario).summary.registered_patients
        assert item["summary"]["patients"] == pytest.approx(patients)
    # The scenarios differ where their levers say they should.
    assert got[0]["summary"]["shifted_from_gps_per_week"] > 0 == got[2]["summary"]["shifted_from_gps_per_week"]
    assert got[0]["summary"]["year"] == 2030


def test_compare_page_table_chart_and_csv(ctx: Workspace, lead: tuple[Any, str]) -> None:
    client, token = lead
    first = create(client, token, "=HYPERLINK(evil)", HOME, {"shift_share": 0.5})
    second = create(client, token, "Baseline copy", HOME, {})

    page = client.get(f"/scenarios/compare?s={first}&s={second}")
    assert page.status_code == 200
    assert "<h1>Compare scenarios</h1>" in page.text
    assert f'<a href="/scenarios/{first}">=HYPERLINK(evil)</a>' in page.text
    report = gap_report(ctx.version(), HOME, Scenario(shift_share=0.5))
    assert f"{report.summary.gap_per_week:+,.0f}" in page.text
    charts = re.findall(r'<div hidden id="(compare-[a-z]+)-data">(.*?)</div>', page.text, re.S)
    assert [c[0] for c in charts] == ["compare-headline", "compare-roles"]
    headline = json.loads(charts[0][1])
    assert [t["name"] for t in headline["data"]] == ["=HYPERLINK(evil)", "Baseline copy"]
    assert headline["data"][0]["y"][2] == pytest.approx(report.summary.gap_per_week)
    assert headline["layout"]["barmode"] == "group"
    assert re.search(r'<script src="/static/[0-9a-f]{12}/vendor/plotly/plotly-basic\.min\.js"></script>', page.text)

    csv_link = re.search(r'href="(/scenarios/compare\?[^"]*format=csv)"', page.text)
    assert csv_link is not None
    download = client.get(csv_link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = {r[0]: r[1:] for r in csv.reader(io.StringIO(download.text))}
    assert rows["figure"] == ["'=HYPERLINK(evil)", "Baseline copy"]  # no formula for spreadsheets
    assert float(rows["gap_per_week"][0]) == pytest.approx(report.summary.gap_per_week)
    assert float(rows["gp.gap_per_week"][1]) == pytest.approx(
        gap_report(ctx.version(), HOME).frames()["roles"].set_index("role").loc["gp", "gap_per_week"]
    )
    assert "third party" in rows["note"][0]


def test_compare_access_and_bad_requests(make_user: MakeUser, signed_in: SignedIn, lead: tuple[Any, str]) -> None:
    client, token = lead
    mine = create(client, token, "Mine", HOME_PCN, {})
    stranger, stranger_token = signed_in(make_user("pcn_lead", "U02671"))
    theirs = create(stranger, stranger_token, "Theirs", "england", {"dna_rate": 0.02})

    assert client.get(f"/scenarios/compare?s={mine}&s={theirs}").status_code == 403
    assert client.get(f"/api/scenarios/compare?s={mine}&s={theirs}").status_code == 403
    assert client.get("/scenarios/compare").status_code == 400  # nothing ticked: see the next test
    assert client.get("/scenarios/compare?s=nonsense").status_code == 400
    assert client.get("/api/scenarios/compare?s=baseline").status_code == 400  # baseline of what?
    assert client.get("/api/scenarios/compare?s=baseline&org=QWE").status_code == 403  # outside scope
    assert client.get("/api/scenarios/compare?s=baseline:england&s=baseline:Y63").status_code == 200
    too_many = "&".join(f"s=baseline:{code}" for code in ("england", "Y56", "Y58", "Y59", "Y60", "Y61", "Y62"))
    assert client.get(f"/api/scenarios/compare?{too_many}").status_code == 400
    anonymous = stranger.__class__(client.app)
    assert anonymous.get(f"/scenarios/compare?s={mine}", follow_redirects=False).status_code == 303


def test_pure_builders() -> None:
    figures = {
        "summary": {"year": 2026, "patients": 1000.0, "demand_per_week": 100.0, "capacity_per_week": 90.0,
                    "gap_per_week": 10.0, "gap_share_of_demand": 0.1, "gp_gap_per_week": 5.0,
                    "shifted_from_gps_per_week": 0.0},
        "roles": {"gp": {"label": "GP", "demand_per_week": 50.0, "capacity_per_week": 45.0, "gap_per_week": 5.0},
                  "hca": {"label": "HCA", "demand_per_week": 0.0, "capacity_per_week": 0.0, "gap_per_week": 0.0}},
        "notes": [],
    }  # fmt: skip
    org = {"level": "practice", "code": HOME, "name": "X", "label": "Practice A81001: X"}
    items = [
        CompareItem("a", "Same", org, {"shift_share": "0.2"}, Scenario(shift_share=0.2), figures=figures),
        CompareItem("b", "Same", org, {}, Scenario(), figures=figures),
    ]
    fig = comparison_figure(items)
    assert [t.name for t in fig.data] == ["Same", "Same (2)"]  # names kept apart
    assert list(fig.data[0].y) == [100.0, 90.0, 10.0, 5.0, 0.0]
    assert role_gap_figure(items).data[0].y == ("GP",)  # roles without work are left out
    rows = comparison_rows(items)
    assert rows[1] == ["Settings", "GP work moved to other roles 20%", "Baseline: no changes"]
    assert ["Gap (appointments a week)", "+10", "+10"] in rows
    text = comparison_csv(items)
    assert text.splitlines()[0] == "figure,Same,Same (2)"


def test_compare_with_too_few_ticked_says_so_on_the_list(lead: tuple[Any, str]) -> None:
    client, token = lead
    mine = create(client, token, "Mine", HOME_PCN, {})
    for query in ("", f"?s={mine}", f"?s={mine}&s={mine}", "?s=baseline"):
        page = client.get(f"/scenarios/compare{query}")
        assert page.status_code == 400, query
        assert "<h1>Saved scenarios</h1>" in page.text  # the list again, not a generic error page
        summary = re.search(r'nhsuk-error-summary__list">(.*?)</ul>', page.text, re.S)
        assert summary and f'href="#compare-{mine}">Select at least 2 scenarios to compare<' in summary.group(1)
        assert 'id="compare-error"' in page.text and page.text.startswith("<!DOCTYPE html>")
    kept = client.get(f"/scenarios/compare?s={mine}")
    assert re.search(rf'id="compare-{mine}" name="s" type="checkbox" value="{mine}" checked', kept.text)
    assert client.get(f"/scenarios/compare?s={mine}&s=baseline").status_code == 200


def test_compare_excel_has_figures_settings_and_notes(ctx: Workspace, lead: tuple[Any, str]) -> None:
    client, token = lead
    first = create(client, token, "=HYPERLINK(evil)", HOME, {"shift_share": 0.5, "year": 2030})
    page = client.get(f"/scenarios/compare?s={first}&s=baseline")
    link = re.search(r'href="(/scenarios/compare\?[^"]*format=xlsx)"', page.text)
    assert link is not None, "no Excel download on the compare page"
    download = client.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200
    assert download.headers["content-type"] == XLSX_TYPE
    assert 'filename="scenario-comparison.xlsx"' in download.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["summary", "roles", "settings", "notes"]

    summary = list(book["summary"].iter_rows(values_only=True))
    header = summary[0]
    rows = {(r[0], r[2]): dict(zip(header, r, strict=True)) for r in summary[1:]}
    report = gap_report(ctx.version(), HOME, Scenario(shift_share=0.5, year=2030))
    evil = rows[("'=HYPERLINK(evil)", "gap_per_week")]  # text, not a formula
    assert evil["value"] == pytest.approx(report.summary.gap_per_week)
    assert rows[("'=HYPERLINK(evil)", "year")]["value"] == 2030
    share = [
        c for c in book["summary"]["F"] if c.row > 1 and book["summary"][f"C{c.row}"].value == "gap_share_of_demand"
    ]
    assert share and all(c.number_format == "0.0%" for c in share)  # formatted by unit
    base_gp = gap_report(ctx.version(), HOME).frames()["roles"].set_index("role").loc["gp", "gap_per_week"]
    roles = list(book["roles"].iter_rows(values_only=True))
    gp_rows = {r[0]: r for r in roles[1:] if r[2] == "gp"}
    assert gp_rows["Baseline (no changes)"][roles[0].index("gap_per_week")] == pytest.approx(base_gp)

    settings = list(book["settings"].iter_rows(values_only=True))
    assert settings[1][:2] == ("'=HYPERLINK(evil)", HOME)
    texts = {(r[0], r[4]): r[5] for r in settings[1:]}
    assert texts[("'=HYPERLINK(evil)", "GP work moved to other roles")] == "50%"
    assert texts[("Baseline (no changes)", "Settings")] == "Baseline: no changes"
    assert settings[1][3] == f"/scenarios/{first}"

    notes = [r[0:2] for r in book["notes"].iter_rows(values_only=True)]
    assert dict((a, b) for a, b in notes if a)["Organisation"] == f"THE DENSHAM SURGERY ({HOME})"
    web = next(b for a, b in notes if a == "Web page")
    assert web.endswith(f"/scenarios/compare?s={first}&s=baseline%3A{HOME}")
    flat = " ".join(str(a) for a, _ in notes)
    assert "positive gap is a shortfall" in flat and "third party" in flat and "Open Government Licence" in flat


def test_compare_charts_export_png_with_organisation_dates_and_source(lead: tuple[Any, str]) -> None:
    client, token = lead
    first = create(client, token, "Shift", HOME, {"shift_share": 0.3})
    page = client.get(f"/scenarios/compare?s={first}&s=baseline")
    charts = dict(re.findall(r'<div hidden id="(compare-[a-z]+)-data">(.*?)</div>', page.text, re.S))
    for name, text in charts.items():
        fig = json.loads(text)
        assert fig["config"]["modeBarButtons"] == [["toImage"]], name  # Plotly's own PNG export
        assert fig["config"]["toImageButtonOptions"]["filename"].startswith("gpworkforce-scenario-comparison")
        subtitle = fig["layout"]["title"]["subtitle"]["text"].replace("<br>", " ")
        assert f"({HOME})" in subtitle and "Data: patients" in subtitle and "Source: NHS England" in subtitle
        assert fig["layout"]["legend"]["yref"] == "container" and fig["layout"]["legend"]["y"] == 0
        assert f'data-chart-download="{name}"' in page.text  # the keyboard-operable PNG button
