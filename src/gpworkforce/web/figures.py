"""Chart builders: pure functions from a service Report to a Plotly figure (no I/O, no web).

Embed them with the ``plotly_chart`` macro (see :mod:`gpworkforce.web.plotly_offline`).

They return plain Plotly figure dicts (``{"data", "layout", "config"}``) rather than
``plotly.graph_objects.Figure``: building a Figure validates every property and costs
10-20 ms per chart, which on a page of five charts was the largest part of the server time
of a scenario update. The dicts are the same JSON plotly.js draws; :func:`as_figure` turns
one into a validated Figure (the tests do, so a misspelt property still fails).
``config`` keeps Plotly's own PNG export (the modebar camera button) with a meaningful file
name, and only it (zoom and pan buttons only got in the way of the title on a phone);
``static/js/charts.js`` passes it to ``Plotly.newPlot``.

Layout, top to bottom, so nothing overlaps at any width: the modebar's row, the title and its
subtitle (the organisation, year, data dates and source: :mod:`gpworkforce.web.chart_credit`,
so an exported PNG says whose and how old its figures are; the title pushes the top margin to
fit), the plot, its axis title, and the legend at the foot of the figure (it pushes the bottom
margin, so however many rows it wraps to on a phone it never reaches the title).

Colours follow the NHS identity palette so charts sit naturally on NHS.UK pages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go

from gpworkforce.services.results import BenchmarkReport, DemandReport, GapReport
from gpworkforce.web.chart_credit import ChartCredit
from gpworkforce.web.rows import records

NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_LIGHT_BLUE = "#41b6e6"
NHS_WARM_YELLOW = "#ffb81c"
NHS_RED = "#d5281b"
NHS_GREEN = "#007f3b"
NHS_GREY = "#768692"
NHS_DARK_GREY = "#425563"
FONT = "Arial, Helvetica, sans-serif"

FigureDict = dict[str, Any]

#: Height of the modebar's row above the title [px].
MODEBAR_ROW = 34
#: Where the legend goes: the foot of the figure (container coordinates), left-aligned.
LEGEND_BELOW: dict[str, Any] = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "y": 0,
    "yref": "container",
    "yanchor": "bottom",
}


def _values(series: Iterable[Any], digits: int = 2) -> list[float | None]:
    """JSON-friendly numbers (rounded: the charts need no more, and the page stays small)."""
    out: list[float | None] = []
    for v in series:
        f = float(v)
        out.append(None if math.isnan(f) or math.isinf(f) else round(f, digits))
    return out


def _labels(series: Iterable[Any]) -> list[str]:
    return [str(v) for v in series]


def _column(rows: list[dict[str, Any]], key: str) -> list[Any]:
    return [r[key] for r in rows]


def chart_config(filename: str) -> dict[str, Any]:
    """Plotly config: the modebar holds only 'Download plot as a PNG' (named ``filename``); no logo."""
    return {
        "displaylogo": False,
        "responsive": True,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        "modeBarButtons": [["toImage"]],
    }


def base_layout(title: str, height: int, credit: ChartCredit | None = None) -> dict[str, Any]:
    """The layout every chart shares: title and credit under the modebar's row, legend at the foot."""
    lines = len(credit.lines()) if credit is not None else 0
    return {
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": MODEBAR_ROW, "l": 4},
            "automargin": True,
            "font": {"size": 16},
            "subtitle": {
                "text": credit.subtitle() if credit is not None else "",
                "font": {"size": 12, "color": NHS_DARK_GREY},
            },
        },
        "font": {"family": FONT, "size": 13, "color": "#212b32"},
        "margin": {"l": 10, "r": 10, "t": 16, "b": 10},
        # the subtitle's lines add to the figure, not take from the plot
        "height": height + 16 * lines,
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "legend": dict(LEGEND_BELOW),
    }


def _figure(
    data: list[dict[str, Any]],
    title: str,
    height: int,
    filename: str,
    credit: ChartCredit | None = None,
    **layout: Any,
) -> FigureDict:
    base = base_layout(title, height, credit)
    for axis in ("xaxis", "yaxis"):
        base[axis] = {"gridcolor": "#e8edee", "automargin": True, **layout.pop(axis, {})}
    if "legend" in layout:
        base["legend"].update(layout.pop("legend"))
    base.update(layout)
    return {"data": data, "layout": base, "config": chart_config(filename)}


def as_figure(figure: FigureDict) -> go.Figure:
    """A validated ``plotly.graph_objects.Figure`` of a figure dict (its config is dropped)."""
    return go.Figure({"data": figure["data"], "layout": figure["layout"]})


def population_pyramid(
    demand: DemandReport, filename: str = "population-pyramid", credit: ChartCredit | None = None
) -> FigureDict:
    """Registered patients by age band and sex (females to the left)."""
    ages = demand.frames()["age_bands"]
    labels = [str(a).replace("_", "-") for a in ages["age_band"].tolist()]
    female = _values(ages["female"].tolist(), 0)
    male = _values(ages["male"].tolist(), 0)
    data = [
        {
            "type": "bar",
            "y": labels,
            "x": [-v if v is not None else None for v in female],
            "name": "Female",
            "orientation": "h",
            "marker": {"color": NHS_BLUE},
            "customdata": female,
            "hovertemplate": "%{y}: %{customdata:,.0f} female<extra></extra>",
        },
        {
            "type": "bar",
            "y": labels,
            "x": male,
            "name": "Male",
            "orientation": "h",
            "marker": {"color": NHS_LIGHT_BLUE},
            "hovertemplate": "%{y}: %{x:,.0f} male<extra></extra>",
        },
    ]
    top = max([abs(v) for v in female if v is not None] + [v or 0 for v in male] + [1.0])
    ticks = _symmetric_ticks(top)
    return _figure(
        data,
        "Registered patients by age and sex",
        480,
        filename,
        credit,
        barmode="relative",
        bargap=0.05,
        xaxis={
            "tickvals": ticks,
            "ticktext": [f"{abs(t):,.0f}" for t in ticks],
            "title": {"text": "Registered patients (female to the left)"},
        },
    )


def _symmetric_ticks(top: float) -> list[float]:
    """Ticks at a round step either side of zero (the pyramid shows females as negatives)."""
    raw = top / 3.0
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    n = math.ceil(top / step)
    return [k * step for k in range(-n, n + 1)]


def demand_by_category(
    demand: DemandReport, filename: str = "demand-by-category", credit: ChartCredit | None = None
) -> FigureDict:
    """Appointments a week by need category, split into GP and other staff."""
    cats = sorted(records(demand.frames()["categories"]), key=lambda r: r["appointments_per_week"])
    labels = _labels(_column(cats, "label"))
    gp = [r["gp_appointments_per_week"] for r in cats]  # after the "GP work moved" lever
    data = [
        {
            "type": "bar",
            "y": labels,
            "x": _values(gp, 1),
            "name": "With a GP",
            "orientation": "h",
            "marker": {"color": NHS_DARK_BLUE},
            "hovertemplate": "%{y}: %{x:,.0f} a week with a GP<extra></extra>",
        },
        {
            "type": "bar",
            "y": labels,
            "x": _values([r["appointments_per_week"] - g for r, g in zip(cats, gp, strict=True)], 1),
            "name": "With other staff",
            "orientation": "h",
            "marker": {"color": NHS_LIGHT_BLUE},
            "hovertemplate": "%{y}: %{x:,.0f} a week with other staff<extra></extra>",
        },
    ]
    return _figure(
        data,
        "Demand by need category",
        540,
        filename,
        credit,
        barmode="stack",
        legend={"traceorder": "normal"},
        xaxis={"tickformat": ",.0f", "title": {"text": "Appointments a week"}},
    )


def _active_roles(roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in roles if r["demand_per_week"] > 0.05 or r["capacity_per_week"] > 0.05]


def demand_vs_capacity(
    gap: GapReport, filename: str = "demand-and-capacity", credit: ChartCredit | None = None
) -> FigureDict:
    """Weekly demand against capacity by role (roles with any demand or capacity), largest at the top."""
    roles = sorted(
        _active_roles(records(gap.frames()["roles"])), key=lambda r: max(r["demand_per_week"], r["capacity_per_week"])
    )
    labels = _labels(_column(roles, "label"))
    data = [
        {
            "type": "bar",
            "y": labels,
            "x": _values(_column(roles, "capacity_per_week"), 1),
            "name": "Capacity",
            "orientation": "h",
            "marker": {"color": NHS_LIGHT_BLUE},
            "hovertemplate": "%{y}: capacity %{x:,.0f} a week<extra></extra>",
        },
        {
            "type": "bar",
            "y": labels,
            "x": _values(_column(roles, "demand_per_week"), 1),
            "name": "Demand",
            "orientation": "h",
            "marker": {"color": NHS_DARK_BLUE},
            "hovertemplate": "%{y}: demand %{x:,.0f} a week<extra></extra>",
        },
    ]
    return _figure(
        data,
        "Weekly demand and capacity by role",
        max(320, 130 + 40 * len(labels)),
        filename,
        credit,
        barmode="group",
        legend={"traceorder": "reversed"},
        xaxis={"tickformat": ",.0f", "title": {"text": "Appointments a week"}},
    )


def gap_by_role(
    gap: GapReport,
    baseline: GapReport | None = None,
    filename: str = "gap-by-role",
    credit: ChartCredit | None = None,
) -> FigureDict:
    """The weekly gap by role: red where demand exceeds capacity, green where there is slack.

    With ``baseline`` (the same organisation without the scenario's levers) a grey bar beside
    each role shows where it started, so the effect of the levers is visible.
    """
    table = gap.frames()["roles"]
    base: dict[str, float] = {}
    if baseline is not None:
        base = dict(
            zip(
                baseline.frames()["roles"]["role"].tolist(),
                baseline.frames()["roles"]["gap_per_week"].tolist(),
                strict=True,
            )
        )
    roles = sorted(
        (
            r
            for r in records(table)
            if abs(r["gap_per_week"]) > 0.05 or (baseline is not None and abs(base.get(r["role"], 0.0)) > 0.05)
        ),
        key=lambda r: r["gap_per_week"],
    )
    labels = _labels(_column(roles, "label"))
    gaps = _values(_column(roles, "gap_per_week"), 1)
    data: list[dict[str, Any]] = []
    if baseline is not None:
        base_gaps = _values([base.get(r["role"], 0.0) for r in roles], 1)
        data.append(
            {
                "type": "bar",
                "y": labels,
                "x": base_gaps,
                "name": "Baseline",
                "orientation": "h",
                "marker": {"color": NHS_GREY},
                "hovertemplate": "%{y}: baseline %{x:+,.0f} a week<extra></extra>",
            }
        )
    data.append(
        {
            "type": "bar",
            "y": labels,
            "x": gaps,
            "name": "Scenario" if baseline is not None else "Gap",
            "orientation": "h",
            "marker": {"color": [NHS_RED if (g or 0) > 0 else NHS_GREEN for g in gaps]},
            "hovertemplate": "%{y}: %{x:+,.0f} a week<extra></extra>",
        }
    )
    return _figure(
        data,
        "Weekly gap by role" + (": baseline and scenario" if baseline is not None else ""),
        max(300, 120 + 34 * len(labels) * (2 if baseline is not None else 1)),
        filename,
        credit,
        barmode="group",
        showlegend=baseline is not None,
        xaxis={
            "tickformat": "+,.0f",
            "title": {"text": "Shortfall (+) or slack (-) a week"},
            "zeroline": True,
            "zerolinecolor": NHS_DARK_GREY,
        },
    )


def benchmark_chart(
    bench: BenchmarkReport, filename: str = "benchmarks", credit: ChartCredit | None = None
) -> FigureDict:
    """FTE per 1,000 patients by staff group, the organisation against its comparators."""
    table = bench.frames()["staff_groups"]
    keys = [str(c)[: -len("_fte_per_1000")] for c in table.columns if str(c).endswith("_fte_per_1000")]
    names = bench.summary.comparators
    palette = [NHS_DARK_BLUE, NHS_LIGHT_BLUE, NHS_WARM_YELLOW, NHS_GREY]
    data = [
        {
            "type": "bar",
            "x": _labels(table["label"].tolist()),
            "y": _values(table[f"{key}_fte_per_1000"].tolist(), 3),
            "name": str(names[i]) if i < len(names) else key,
            "marker": {"color": palette[i % len(palette)]},
            "hovertemplate": "%{x}: %{y:.2f} FTE per 1,000<extra>" + key.replace("_", " ") + "</extra>",
        }
        for i, key in enumerate(keys)
    ]
    return _figure(
        data,
        "Staff per 1,000 patients",
        420 + 24 * max(0, len(data) - 2),
        filename,
        credit,
        barmode="group",
        yaxis={"title": {"text": "FTE per 1,000 patients"}},
    )
