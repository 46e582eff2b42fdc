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
from gpworkforce.web.chart_credit import LINE_WIDTH, ChartCredit, chart_credit, data_dates_text


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


# --- What a chart says about itself, and where its parts sit (issue 10: PNGs without source,
# --- toolbar over the title, benchmark legend over its title) -------------------------------

PERIODS = {"patients": "2026-07", "workforce": "FY2025", "subicb_appointments": "2023-06..2025-11"}


def _all_charts(ctx: Workspace, credit: ChartCredit) -> dict[str, figures.FigureDict]:
    demand = demand_report(ctx.version(), "A81001", SCENARIO)
    gap, base = gap_report(ctx.version(), "A81001", SCENARIO), gap_report(ctx.version(), "A81001")
    bench = benchmark_report(ctx.version(), "A81001")
    return {
        "pyramid": figures.population_pyramid(demand, "f", credit),
        "categories": figures.demand_by_category(demand, "f", credit),
        "demand_capacity": figures.demand_vs_capacity(gap, "f", credit),
        "gap": figures.gap_by_role(gap, base, "f", credit),
        "benchmarks": figures.benchmark_chart(bench, "f", credit),
    }


def test_every_chart_carries_organisation_year_data_dates_and_source(ctx: Workspace) -> None:
    credit = chart_credit("The Densham Surgery", "A81001", "practice", 2030, PERIODS)
    for name, fig in _all_charts(ctx, credit).items():
        figures.as_figure(fig)  # subtitle, container-referenced legend: valid Plotly properties
        subtitle = fig["layout"]["title"]["subtitle"]["text"]
        text = subtitle.replace("<br>", " ")
        for part in ("The Densham Surgery (A81001), 2030", "patients July 2026", "workforce FY2025"):
            assert part in text, (name, subtitle)
        assert "appointments to November 2025" in text, name
        assert "Source: NHS England" in text and text.endswith("gpworkforce"), name
        assert all(len(line) <= LINE_WIDTH for line in subtitle.split("<br>")), name  # fits a phone
    # each subtitle line adds height, so the plot keeps its room
    gap = gap_report(ctx.version(), "A81001")
    with_credit, without = figures.gap_by_role(gap, None, "f", credit), figures.gap_by_role(gap, None, "f")
    assert with_credit["layout"]["height"] - without["layout"]["height"] == 16 * len(credit.lines())
    assert without["layout"]["title"]["subtitle"]["text"] == ""


def test_title_sits_below_the_modebar_and_the_legend_at_the_foot(ctx: Workspace) -> None:
    for name, fig in _all_charts(ctx, chart_credit("England", "england", "england", None, PERIODS)).items():
        layout, config = fig["layout"], fig["config"]
        title = layout["title"]
        # the modebar (top right) holds only the PNG export and has a row of its own above the title
        assert config["modeBarButtons"] == [["toImage"]], name
        assert config["toImageButtonOptions"]["filename"] == "f"
        assert title["yref"] == "container" and title["y"] == 1 and title["yanchor"] == "top", name
        assert title["pad"]["t"] >= figures.MODEBAR_ROW >= 30 and title["automargin"] is True, name
        # the legend is anchored to the bottom of the figure, never beside the title
        legend = layout["legend"]
        assert (legend["yref"], legend["y"], legend["yanchor"]) == ("container", 0, "bottom"), name
        assert legend["orientation"] == "h", name
        assert "England (" not in title["subtitle"]["text"]  # England has no code to show


def test_credit_wraps_escapes_and_names_only_known_dates() -> None:
    credit = ChartCredit("A <b>bold</b> & long " + "x" * 80, 2026, data_dates_text({"patients": "2026-07"}))
    assert all(len(line) <= LINE_WIDTH for line in credit.lines())
    assert "<b>" not in credit.subtitle() and "&lt;b&gt;" in credit.subtitle() and "&amp;" in credit.subtitle()
    assert data_dates_text({"patients": "2026-07", "workforce": None}) == "patients July 2026"
    assert data_dates_text({}) == ""
    assert "Data:" not in " ".join(ChartCredit("Org").lines())
