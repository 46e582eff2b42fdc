"""Chart builders: pure functions from a service Report to a Plotly figure (no I/O, no web).

Embed them with the ``plotly_chart`` macro (see :mod:`gpworkforce.web.plotly_offline`).

Colours follow the NHS identity palette so charts sit naturally on NHS.UK pages.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from gpworkforce.services.analysis import Report

NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_LIGHT_BLUE = "#41b6e6"
NHS_WARM_YELLOW = "#ffb81c"
NHS_RED = "#d5281b"
NHS_GREEN = "#007f3b"
NHS_GREY = "#768692"
FONT = "Arial, Helvetica, sans-serif"


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 13, "color": "#212b32"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=height,
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_xaxes(gridcolor="#e8edee", automargin=True)
    fig.update_yaxes(gridcolor="#e8edee", automargin=True)
    return fig


def population_pyramid(demand: Report) -> go.Figure:
    """Registered patients by age band and sex (females to the left)."""
    ages: pd.DataFrame = demand.tables["age_bands"]
    labels = [a.replace("_", "-") for a in ages["age_band"]]
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=-ages["female"],
        name="Female",
        orientation="h",
        marker_color=NHS_BLUE,
        customdata=ages["female"],
        hovertemplate="%{y}: %{customdata:,.0f} female<extra></extra>",
    )
    fig.add_bar(
        y=labels,
        x=ages["male"],
        name="Male",
        orientation="h",
        marker_color=NHS_LIGHT_BLUE,
        hovertemplate="%{y}: %{x:,.0f} male<extra></extra>",
    )
    fig.update_layout(barmode="relative", bargap=0.05)
    fig.update_xaxes(tickformat=",.0f", title="Registered patients")
    return _layout(fig, "Registered patients by age and sex", 460)


def demand_by_category(demand: Report) -> go.Figure:
    """Appointments a week by need category, split into GP and other staff."""
    cats: pd.DataFrame = demand.tables["categories"].sort_values("appointments_per_week")
    gp = cats["appointments_per_week"] * cats["gp_share"]
    fig = go.Figure()
    fig.add_bar(
        y=cats["label"],
        x=gp,
        name="With a GP",
        orientation="h",
        marker_color=NHS_DARK_BLUE,
        hovertemplate="%{y}: %{x:,.0f} a week with a GP<extra></extra>",
    )
    fig.add_bar(
        y=cats["label"],
        x=cats["appointments_per_week"] - gp,
        name="With other staff",
        orientation="h",
        marker_color=NHS_LIGHT_BLUE,
        hovertemplate="%{y}: %{x:,.0f} a week with other staff<extra></extra>",
    )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=",.0f", title="Appointments a week")
    return _layout(fig, "Demand by need category", 520)


def demand_vs_capacity(gap: Report) -> go.Figure:
    """Weekly demand against capacity by role (roles with any demand or capacity)."""
    roles: pd.DataFrame = gap.tables["roles"]
    roles = roles[(roles["demand_per_week"] > 0.05) | (roles["capacity_per_week"] > 0.05)]
    fig = go.Figure()
    fig.add_bar(
        x=roles["label"],
        y=roles["demand_per_week"],
        name="Demand",
        marker_color=NHS_DARK_BLUE,
        hovertemplate="%{x}: demand %{y:,.0f} a week<extra></extra>",
    )
    fig.add_bar(
        x=roles["label"],
        y=roles["capacity_per_week"],
        name="Capacity",
        marker_color=NHS_LIGHT_BLUE,
        hovertemplate="%{x}: capacity %{y:,.0f} a week<extra></extra>",
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=",.0f", title="Appointments a week")
    return _layout(fig, "Weekly demand and capacity by role", 420)


def gap_by_role(gap: Report) -> go.Figure:
    """The weekly gap by role: red where demand exceeds capacity, green where there is slack."""
    roles: pd.DataFrame = gap.tables["roles"]
    roles = roles[roles["gap_per_week"].abs() > 0.05].sort_values("gap_per_week")
    colours = [NHS_RED if g > 0 else NHS_GREEN for g in roles["gap_per_week"]]
    fig = go.Figure(
        go.Bar(
            y=roles["label"],
            x=roles["gap_per_week"],
            orientation="h",
            marker_color=colours,
            hovertemplate="%{y}: %{x:+,.0f} a week<extra></extra>",
        )
    )
    fig.update_xaxes(
        tickformat="+,.0f",
        title="Shortfall (+) or slack (-), appointments a week",
        zeroline=True,
        zerolinecolor="#425563",
    )
    return _layout(fig, "Weekly gap by role", 420)


def benchmark_chart(bench: Report) -> go.Figure:
    """FTE per 1,000 patients by staff group, the organisation against its comparators."""
    table: pd.DataFrame = bench.tables["staff_groups"]
    keys = [c[: -len("_fte_per_1000")] for c in table.columns if c.endswith("_fte_per_1000")]
    names = bench.summary.get("comparators", keys)
    palette = [NHS_DARK_BLUE, NHS_LIGHT_BLUE, NHS_WARM_YELLOW, NHS_GREY]
    fig = go.Figure()
    for i, key in enumerate(keys):
        fig.add_bar(
            x=table["label"],
            y=table[f"{key}_fte_per_1000"],
            name=str(names[i]) if i < len(names) else key,
            marker_color=palette[i % len(palette)],
            hovertemplate="%{x}: %{y:.2f} FTE per 1,000<extra>" + key + "</extra>",
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="FTE per 1,000 patients")
    return _layout(fig, "Staff per 1,000 patients", 400)
