"""Integration: cost in pounds on the organisation page and in its summary download (the CLI had it
and the pages did not)."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from test_org_pages import client, ctx, national_url  # noqa: F401  (module fixtures, shared template)

from gpworkforce.services.demand import demand_report
from gpworkforce.services.versions import Workspace
from gpworkforce.web.formatting import fmt_money


def test_the_cost_of_gp_work_others_could_take_is_on_the_page_and_in_the_summary(
    client: TestClient,  # noqa: F811
    ctx: Workspace,  # noqa: F811
) -> None:
    d = demand_report(ctx.version(), "A81001").summary
    page = client.get("/org/A81001").text
    at_gp, by_others = (
        fmt_money(d.annual_cost_of_that_work_at_gp_rates),
        fmt_money(d.annual_cost_of_that_work_by_other_roles),
    )
    assert at_gp.startswith("£") and at_gp != by_others
    assert f"{at_gp} a year at GP cost against {by_others} by the other roles" in page
    rows = {r["measure"]: r for r in csv.DictReader(io.StringIO(client.get("/org/A81001/download/summary.csv").text))}
    assert float(rows["annual_cost_of_that_work_at_gp_rates"]["value"]) == round(
        d.annual_cost_of_that_work_at_gp_rates, 1
    )
    assert rows["annual_cost_of_that_work_by_other_roles"]["unit"] == "GBP a year"
