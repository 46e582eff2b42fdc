"""Comparing saved scenarios side by side: key figures, display rows, charts and CSV (pure: no I/O
except :func:`scenario_figures`, which asks the analysis services).

Used by the scenario pages and their JSON twins (``web.routes.scenarios``, ``scenarios_api``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import plotly.graph_objects as go

from gpworkforce.scenario import Scenario
from gpworkforce.services.capacity import gap_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.national import WORKFORCE_NOTE
from gpworkforce.services.versions import DataVersion
from gpworkforce.web.chart_credit import ChartCredit, data_dates_text
from gpworkforce.web.figures import (
    NHS_DARK_BLUE,
    NHS_GREY,
    NHS_LIGHT_BLUE,
    NHS_WARM_YELLOW,
    FigureDict,
    base_layout,
    chart_config,
)
from gpworkforce.web.scenario_form import LEVERS, STANDARD_LABEL, STANDARD_OPTIONS, role_label

BASELINE: Final = "baseline"
MAX_COMPARE: Final = 6
SLUG: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TRUE_VALUES: Final = frozenset({"1", "true", "on", "yes"})

#: Headline figures of a comparison: (key, label, format). "pct" = share shown as a percentage.
METRICS: Final[tuple[tuple[str, str, str], ...]] = (
    ("year", "Year", "year"),
    ("patients", "Registered patients", "count"),
    ("demand_per_week", "Demand (appointments a week)", "count"),
    ("capacity_per_week", "Capacity (appointments a week)", "count"),
    ("gap_per_week", "Gap (appointments a week)", "signed"),
    ("gap_share_of_demand", "Gap as a share of demand", "pct"),
    ("gp_gap_per_week", "GP gap (appointments a week)", "signed"),
    ("shifted_from_gps_per_week", "GP work moved to other roles (a week)", "count"),
)
#: Bars of the headline chart: (key, label).
CHART_METRICS: Final = (
    ("demand_per_week", "Demand"),
    ("capacity_per_week", "Capacity"),
    ("gap_per_week", "Gap"),
    ("gp_gap_per_week", "GP gap"),
    ("shifted_from_gps_per_week", "Moved from GPs"),
)
PALETTE: Final = (NHS_DARK_BLUE, NHS_LIGHT_BLUE, NHS_WARM_YELLOW, NHS_GREY, "#330072", "#007f3b")


def truthy(value: object) -> bool:
    return str(value).strip().lower() in TRUE_VALUES


def describe_params(params: Mapping[str, str]) -> list[tuple[str, str]]:
    """Human-readable settings, e.g. ``[("GP work moved to other roles", "30%")]``; baseline if none."""
    levers = {lever.name: lever for lever in LEVERS}
    rows: list[tuple[str, str]] = []
    for key, raw in params.items():
        if key.startswith("added_fte."):
            number = float(raw)
            rows.append((f"Added FTE: {role_label(key.split('.', 1)[1])}", f"{number:+g}"))
        elif key.startswith("minutes."):
            rows.append((f"Appointment length: {role_label(key.split('.', 1)[1])}", f"{float(raw):g} minutes"))
        elif key == "local_calibration":
            rows.append(("Calibrate to each practice's own appointments", "Yes" if truthy(raw) else "No"))
        elif key == "subicb_calibration":
            rows.append(("Calibrate to each sub-ICB's appointments", "Yes" if truthy(raw) else "No"))
        elif key == "capacity_standard":
            rows.append((STANDARD_LABEL, STANDARD_OPTIONS.get(str(raw), str(raw))))
        elif key in levers:
            lever = levers[key]
            value = float(raw)
            text = f"{value * 100:g}%" if lever.unit == "%" else f"{value:g}"
            rows.append((lever.label, text))
        else:
            rows.append((key, str(raw)))
    return rows or [("Settings", "Baseline: no changes")]


def _settings_text(params: Mapping[str, str]) -> str:
    return "; ".join(f"{k} {v}" if k != "Settings" else v for k, v in describe_params(params))


@dataclass
class CompareItem:
    """One column of a comparison: a saved scenario or an unsaved baseline, and its figures."""

    key: str
    name: str
    org: dict[str, str]
    params: dict[str, str]
    scenario: Scenario
    url: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)


def scenario_figures(version: DataVersion, org_code: str, scenario: Scenario) -> dict[str, Any]:
    """Key figures of one scenario, straight from :func:`services.capacity.gap_report`.

    ``summary`` holds the report's summary plus registered patients (projected to the
    scenario's year, from the demand report of the same model run); ``roles`` the weekly
    demand, capacity and gap by role.
    """
    report = gap_report(version, org_code, scenario)
    summary = report.summary.model_dump()
    summary["patients"] = demand_report(version, org_code, scenario).summary.registered_patients
    roles = {
        str(r["role"]): {
            "label": str(r["label"]),
            "demand_per_week": float(r["demand_per_week"]),
            "capacity_per_week": float(r["capacity_per_week"]),
            "gap_per_week": float(r["gap_per_week"]),
        }
        for r in report.frames()["roles"].to_dict(orient="records")
    }
    return {"summary": summary, "roles": roles, "notes": report.notes}


def compared_roles(items: Sequence[CompareItem]) -> list[tuple[str, str]]:
    """(role, label) with demand or capacity in any of the scenarios, in the model's order."""
    seen: dict[str, str] = {}
    for item in items:
        for role, r in item.figures["roles"].items():
            if abs(r["demand_per_week"]) > 0.05 or abs(r["capacity_per_week"]) > 0.05:
                seen.setdefault(role, r["label"])
    order = list(items[0].figures["roles"]) if items else []
    return sorted(seen.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def format_figure(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "year":
        return f"{int(value)}"
    if kind == "pct":
        return f"{float(value):.1%}"
    if kind == "signed":
        number = float(value)
        return "0" if round(number) == 0 else f"{number:+,.0f}"  # no "-0" or "+0"
    return f"{float(value):,.0f}"


def comparison_rows(items: Sequence[CompareItem]) -> list[list[str]]:
    """Display rows (label, one cell per scenario) for the comparison table."""
    rows = [
        ["Organisation", *[i.org["label"] for i in items]],
        ["Settings", *[_settings_text(i.params) for i in items]],
    ]
    for key, label, kind in METRICS:
        rows.append([label, *[format_figure(i.figures["summary"].get(key), kind) for i in items]])
    for role, label in compared_roles(items):
        rows.append(
            [f"Gap: {label}", *[format_figure(i.figures["roles"][role]["gap_per_week"], "signed") for i in items]]
        )
    return rows


def unique_names(items: Sequence[CompareItem]) -> list[str]:
    names: list[str] = []
    for item in items:
        name = item.name
        n = 2
        while name in names:
            name = f"{item.name} ({n})"
            n += 1
        names.append(name)
    return names


def comparison_credit(items: Sequence[CompareItem], periods: Mapping[str, str | None]) -> ChartCredit:
    """The organisations and year(s) compared and the data dates, drawn into the charts (and their PNGs)."""
    orgs = list(dict.fromkeys(f"{i.org['name']} ({i.org['code']})" for i in items))
    years = sorted({int(i.figures["summary"]["year"]) for i in items if i.figures["summary"].get("year")})
    head = "; ".join(orgs) + (f", {years[0]} to {years[-1]}" if len(years) > 1 else "")
    return ChartCredit(head, years[0] if len(years) == 1 else None, data_dates_text(periods))


def as_page_figure(fig: go.Figure, filename: str) -> FigureDict:
    """A comparison chart with the dashboard's config: the modebar's PNG export named ``filename``."""
    plain = fig.to_plotly_json()
    return {"data": plain["data"], "layout": plain["layout"], "config": chart_config(filename)}


def _layout(fig: go.Figure, title: str, height: int, credit: ChartCredit | None) -> go.Figure:
    """The look of the dashboard's charts (web.figures), for the comparison charts."""
    fig.update_layout(base_layout(title, height, credit))
    fig.update_xaxes(gridcolor="#e8edee", automargin=True)
    fig.update_yaxes(gridcolor="#e8edee", automargin=True)
    return fig


def comparison_figure(items: Sequence[CompareItem], credit: ChartCredit | None = None) -> go.Figure:
    """Grouped bars: the headline weekly figures, one colour per scenario (pure: no I/O)."""
    fig = go.Figure()
    labels = [label for _, label in CHART_METRICS]
    for i, (item, name) in enumerate(zip(items, unique_names(items), strict=True)):
        fig.add_bar(
            x=labels,
            y=[float(item.figures["summary"].get(key) or 0.0) for key, _ in CHART_METRICS],
            name=name,
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate="%{x}: %{y:,.0f} a week<extra>" + name.replace("<", "&lt;") + "</extra>",
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=",.0f", title="Appointments a week", zeroline=True, zerolinecolor="#425563")
    return _layout(fig, "Key weekly figures by scenario", 420, credit)


def role_gap_figure(items: Sequence[CompareItem], credit: ChartCredit | None = None) -> go.Figure:
    """Grouped horizontal bars: the weekly gap by role for each scenario (pure: no I/O).

    Horizontal so that long role names stay readable; the first role is at the top.
    """
    roles = compared_roles(items)[::-1]
    fig = go.Figure()
    for i, (item, name) in enumerate(zip(items, unique_names(items), strict=True)):
        fig.add_bar(
            y=[label for _, label in roles],
            x=[item.figures["roles"][role]["gap_per_week"] for role, _ in roles],
            name=name,
            orientation="h",
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate="%{y}: %{x:+,.0f} a week<extra>" + name.replace("<", "&lt;") + "</extra>",
        )
    fig.update_layout(barmode="group", legend={"traceorder": "normal"})
    fig.update_xaxes(tickformat="+,.0f", title="Shortfall (+) or slack (-), appointments a week", zeroline=True)
    fig.update_xaxes(zerolinecolor="#425563")
    height = 160 + len(roles) * (14 + 10 * len(items))
    return _layout(fig, "Weekly gap by role", max(360, height), credit)


def _csv_text(value: object) -> object:
    """Neutralise spreadsheet formulas in user-entered text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def comparison_csv(items: Sequence[CompareItem]) -> str:
    """The comparison as CSV: one row per figure, one column per scenario, raw numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", *[_csv_text(n) for n in unique_names(items)]])
    writer.writerow(["link", *[i.url or "" for i in items]])
    writer.writerow(["organisation_code", *[i.org["code"] for i in items]])
    writer.writerow(["organisation", *[_csv_text(i.org["name"]) for i in items]])
    writer.writerow(["settings", *[_csv_text(_settings_text(i.params)) for i in items]])
    for key, _, _ in METRICS:
        writer.writerow([key, *[i.figures["summary"].get(key) for i in items]])
    for role, _ in compared_roles(items):
        for measure in ("demand_per_week", "capacity_per_week", "gap_per_week"):
            writer.writerow([f"{role}.{measure}", *[i.figures["roles"][role][measure] for i in items]])
    writer.writerow(["note", WORKFORCE_NOTE, *[""] * (len(items) - 1)])
    return out.getvalue()
