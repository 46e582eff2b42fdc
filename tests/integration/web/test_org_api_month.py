"""The JSON API's ``month`` on demand and children equals the services' reports; bad months get 422."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from test_org_pages import client, ctx, national_url  # noqa: F401  (module fixtures, shared template)

from gpworkforce.reports.source import jsonable
from gpworkforce.scenario import Scenario
from gpworkforce.services.children import by_level_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.versions import Workspace


def test_demand_and_children_take_a_month(client: TestClient, ctx: Workspace) -> None:  # noqa: F811
    response = client.get("/api/org/QHM/demand", params={"month": "2027-10", "shift_share": "0.1"})
    assert response.status_code == 200, response.text
    report = demand_report(ctx.version(), "QHM", Scenario(shift_share=0.1), "2027-10")
    assert response.json() == jsonable(report.to_dict())
    assert response.json()["summary"]["year"] == 2027
    children = client.get("/api/org/QHM/children", params={"by": "practice", "month": "2027-10"})
    assert children.status_code == 200, children.text
    rows = children.json()["tables"]["organisations"]
    assert all("appointments_in_month" in r for r in rows)
    expected = by_level_report(ctx.version(), "QHM", "practice", None, "2027-10")
    assert children.json() == jsonable(expected.to_dict())
    # without a month the keys stay as they were
    assert "appointments_in_month" not in client.get("/api/org/QHM/demand").json()["summary"]


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"month": "2027-13"}, "month: month must be YYYY-MM"),
        ({"month": "2027-11", "year": "2030"}, "month: month 2027-11 is not in the projection year 2030"),
    ],
)
def test_bad_month_is_422_naming_it(client: TestClient, params: dict[str, str], detail: str) -> None:  # noqa: F811
    for path in ("/api/org/QHM/demand", "/api/org/QHM/children"):
        response = client.get(path, params=params)
        assert response.status_code == 422
        assert detail in response.json()["detail"]
