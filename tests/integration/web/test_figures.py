"""Chart builders against the reports they draw: valid Plotly figures showing the report's numbers.

The builders return plain dicts (no Plotly validation at run time, for speed), so here every
figure goes through ``plotly.graph_objects.Figure`` (a misspelt property fails) and its bars are
checked against the report table they were drawn from.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.national_db import national_template

from gpworkforce.scenario import Scenario
from gpworkforce.services.benchmarks import benchmark_report
from gpworkforce.services.capacity import gap_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.versions import Workspace, open_workspace
from gpworkforce.web import figures


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = national_template(tmp_path_factory)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GPWORKFORCE_CACHE_DIR", str(path.parent / "org-array-cache"))
        context = open_workspace(f"sqlite:///{path}")
        yield context
        context.engine.dispose()


SCENARIO = Scenario(shift_share=0.4, year=2030, added_fte={"pharmacist": 3.0})


@pytest.mark.parametrize("code", ["A81001", "QHM"])
def test_gap_chart_bars_are_the_report_gaps_sorted(ctx: Workspace, code: str) -> None:
    gap, base = gap_report(ctx.version(), code, SCENARIO), gap_report(ctx.version(), code)
    fig = figures.gap_by_role(gap, base, "f")
    figures.as_figure(fig)  # validates every property
    baseline_trace, scenario_trace = fig["data"]
    roles = gap.frames()["roles"]
    base_gap = dict(zip(base.frames()["roles"]["role"], base.frames()["roles"]["gap_per_week"], strict=True))
    shown = roles[(roles["gap_per_week"].abs() > 0.05) | (roles["role"].map(base_gap).abs() > 0.05)]
    shown = shown.sort_values("gap_per_week", kind="stable")
    assert scenario_trace["y"] == list(shown["label"])
    assert scenario_trace["x"] == [round(v, 1) for v in shown["gap_per_week"]]
    assert baseline_trace["x"] == [round(base_gap[r], 1) for r in shown["role"]]
    assert scenario_trace["marker"]["color"] == [
        figures.NHS_RED if v > 0 else figures.NHS_GREEN for v in scenario_trace["x"]
    ]
    alone = figures.gap_by_role(gap, None, "f")
    assert len(alone["data"]) == 1 and alone["layout"]["showlegend"] is False


def test_demand_and_capacity_chart_has_every_active_role_largest_last(ctx: Workspace) -> None:
    gap = gap_report(ctx.version(), "QHM", SCENARIO)
    fig = figures.demand_vs_capacity(gap, "f")
    figures.as_figure(fig)
    capacity, demand = fig["data"]
    roles = gap.frames()["roles"]
    active = roles[(roles["demand_per_week"] > 0.05) | (roles["capacity_per_week"] > 0.05)]
    assert sorted(capacity["y"]) == sorted(active["label"])
    sizes = [max(d, c) for d, c in zip(demand["x"], capacity["x"], strict=True)]
    assert sizes == sorted(sizes)
    assert sum(demand["x"]) == pytest.approx(active["demand_per_week"].sum(), abs=0.1 * len(active))


def test_category_chart_splits_each_category_between_gps_and_others(ctx: Workspace) -> None:
    demand = demand_report(ctx.version(), "QHM", Scenario(year=2030))
    fig = figures.demand_by_category(demand, "f")
    figures.as_figure(fig)
    gp, other = fig["data"]
    cats = demand.frames()["categories"].set_index("label")
    for label, g, o in zip(gp["y"], gp["x"], other["x"], strict=True):
        assert g + o == pytest.approx(cats.loc[label, "appointments_per_week"], abs=0.11)
        assert g == pytest.approx(cats.loc[label, "appointments_per_week"] * cats.loc[label, "gp_share"], abs=0.06)
    totals = [g + o for g, o in zip(gp["x"], other["x"], strict=True)]
    assert totals == sorted(totals)


def test_pyramid_and_benchmarks(ctx: Workspace) -> None:
    demand = demand_report(ctx.version(), "A81001")
    pyramid = figures.population_pyramid(demand, "f")
    figures.as_figure(pyramid)
    female, male = pyramid["data"]
    ages = demand.frames()["age_bands"]
    assert [-x for x in female["x"]] == [round(v) for v in ages["female"]]
    assert male["x"] == [round(v) for v in ages["male"]]
    assert sum(female["customdata"]) + sum(male["x"]) == pytest.approx(demand.summary.registered_patients, abs=20)
    bench = benchmark_report(ctx.version(), "A81001")
    chart = figures.benchmark_chart(bench, "f")
    figures.as_figure(chart)
    table = bench.frames()["staff_groups"]
    assert [t["name"] for t in chart["data"]] == list(bench.summary.comparators)
    assert chart["data"][0]["y"] == [round(v, 3) for v in table["organisation_fte_per_1000"]]
