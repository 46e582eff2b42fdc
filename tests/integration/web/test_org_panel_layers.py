"""The organisation page's calibration switches, its calibration-layer statement and its month
(TestClient on all of England; the numbers are the services' own)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from test_org_pages import HX, card_value, client, ctx, national_url  # noqa: F401  (module fixtures)

from gpworkforce.scenario import Scenario
from gpworkforce.services.children import by_level_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.versions import Workspace
from gpworkforce.web.formatting import fmt_number


def _layer(html: str, key: str) -> str:
    match = re.search(rf'id="calibration-{key}" data-state="([^"]+)"', html)
    assert match, f"calibration layer {key} not stated"
    return match.group(1)


def _checkbox(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*id="lever-{name}"[^>]*>', html)
    assert match, f"no {name} switch"
    return match.group(0)


def test_switching_off_the_sub_icb_layer_changes_the_figures(client: TestClient, ctx: Workspace) -> None:  # noqa: F811
    default = client.get("/org/QHM")
    off = client.get("/org/QHM", params={"subicb_calibration": "false"})
    assert default.status_code == off.status_code == 200
    version = ctx.version()
    for page, scenario in ((default, Scenario()), (off, Scenario(subicb_calibration=False))):
        expected = demand_report(version, "QHM", scenario).summary.appointments_per_week
        assert card_value(page.text, "appointments") == fmt_number(expected)
    assert card_value(off.text, "appointments") != card_value(default.text, "appointments")
    assert _layer(default.text, "subicb") == "applied"
    assert _layer(off.text, "subicb") == "off"
    assert "checked" in _checkbox(default.text, "subicb_calibration")
    assert "checked" not in _checkbox(off.text, "subicb_calibration")
    assert "no sub-ICB calibration" in off.text  # the scenario in words
    assert 'id="share-link" href="/org/QHM?subicb_calibration=false"' in off.text


def test_panel_form_sends_unticked_switches_as_off(client: TestClient) -> None:  # noqa: F811
    # the panel sends calibration_set=1 beside its boxes; the unticked sub-ICB box is not sent
    params = {"panel": "1", "calibration_set": "1", "local_calibration": "true"}
    response = client.get("/org/QHM/results", params=params, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/org/QHM?subicb_calibration=false"
    # without the marker (older forms, hand-made links) a missing switch keeps its default
    response = client.get("/org/QHM/results", params={"panel": "1"}, headers=HX)
    assert response.headers["HX-Push-Url"] == "/org/QHM"


@pytest.mark.parametrize(
    ("code", "practice_state"),
    [("D81001", "applied"), ("A81001", "not available"), ("U04973", "partly applied")],
)
def test_page_states_where_the_practice_layer_applied(client: TestClient, code: str, practice_state: str) -> None:  # noqa: F811
    html = client.get(f"/org/{code}").text
    assert _layer(html, "england") == "applied"
    assert _layer(html, "practice") == practice_state
    off = client.get(f"/org/{code}", params={"local_calibration": "false"}).text
    assert _layer(off, "practice") == "off"


def test_month_shows_expected_appointments_beside_the_weekly_figures(client: TestClient, ctx: Workspace) -> None:  # noqa: F811
    response = client.get("/org/QHM", params={"month": "2026-11"})
    assert response.status_code == 200
    report = demand_report(ctx.version(), "QHM", Scenario(), "2026-11").summary
    assert report.appointments_in_month is not None
    figure = re.search(r'id="month-figure-value">([^<]+)<', response.text)
    assert figure and figure.group(1) == fmt_number(report.appointments_in_month)
    assert "expected appointments in November 2026" in response.text
    assert f"{report.working_days_in_month} working days" in response.text
    assert f"seasonal factor {report.seasonal_factor:.3f}" in response.text
    # weekly figures as without a month; the month is in the share link and the month select
    baseline = client.get("/org/QHM").text
    assert card_value(response.text, "appointments") == card_value(baseline, "appointments")
    assert 'id="share-link" href="/org/QHM?month=2026-11"' in response.text
    assert re.search(r'<option value="2026-11" selected>November 2026</option>', response.text)
    assert 'id="month-figure"' not in baseline


def test_month_is_in_the_results_push_url_and_the_children_download(client: TestClient, ctx: Workspace) -> None:  # noqa: F811
    params = {"panel": "1", "calibration_set": "1", "local_calibration": "true", "subicb_calibration": "true"}
    response = client.get("/org/U89141/results", params={**params, "month": "2027-10"}, headers=HX)
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/org/U89141?month=2027-10"
    assert "projected to 2027" in response.text
    download = client.get("/org/U89141/download/children.csv", params={"month": "2027-10"})
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.text)))
    expected = by_level_report(ctx.version(), "U89141", "practice", None, "2027-10").frames()["organisations"]
    assert [r["code"] for r in rows] == expected["code"].tolist()
    got = [float(r["appointments_in_month"]) for r in rows]
    # downloads round figures from 100 up to 1 decimal
    assert got == pytest.approx(expected["appointments_in_month"].tolist(), abs=0.05)
    assert "appointments_in_month" not in client.get("/org/U89141/download/children.csv").text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "2026-13"}, "Month: month must be YYYY-MM"),
        ({"month": "November"}, "Month: month must be YYYY-MM"),
        ({"month": "2027-01", "year": "2030"}, "Month: January 2027 is not in the projection year 2030"),
    ],
)
def test_invalid_month_is_a_400_naming_the_field(client: TestClient, params: dict[str, str], message: str) -> None:  # noqa: F811
    page = client.get("/org/QHM", params=params)
    assert page.status_code == 400
    assert message in page.text
    assert 'href="#lever-month"' in page.text  # the error summary links to the month select
    fragment = client.get("/org/QHM/results", params={"panel": "1", **params}, headers=HX)
    assert fragment.status_code == 400
    assert message in fragment.text
    download = client.get("/org/QHM/download/children.csv", params=params)
    assert download.status_code == 400
    assert message in download.text
