"""Trend charts of one employer's staff register (pure: month figures in, Plotly figure dicts out).

Same layout and palette as :mod:`gpworkforce.web.figures`; embedded with the ``plotly_chart``
macro (offline plotly.js). A month without a register or without a denominator is a gap
(None), never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gpworkforce.services.register_state import MonthFigures
from gpworkforce.web.figures import (
    NHS_BLUE,
    NHS_DARK_BLUE,
    NHS_RED,
    NHS_WARM_YELLOW,
    FigureDict,
    base_layout,
    chart_config,
)


def _figure(data: list[dict[str, Any]], title: str, filename: str, yaxis: dict[str, Any]) -> FigureDict:
    layout = base_layout(title, 320)
    layout["xaxis"] = {"gridcolor": "#e8edee", "automargin": True, "type": "category"}
    layout["yaxis"] = {"gridcolor": "#e8edee", "automargin": True, "rangemode": "tozero", **yaxis}
    return {"data": data, "layout": layout, "config": chart_config(filename)}


def staff_trend(rows: Sequence[MonthFigures], employer: str) -> FigureDict:
    """Headcount (bars) and FTE (line) in post at each month end, with joiners and leavers."""
    months = [r.month for r in rows]
    data: list[dict[str, Any]] = [
        {"type": "bar", "name": "Headcount in post", "x": months, "y": [r.headcount for r in rows],
         "marker": {"color": NHS_BLUE}},
        {"type": "scatter", "mode": "lines+markers", "name": "FTE in post", "x": months,
         "y": [None if r.fte is None else round(r.fte, 2) for r in rows], "line": {"color": NHS_DARK_BLUE}},
        {"type": "scatter", "mode": "markers", "name": "Joiners", "x": months, "y": [r.joiners for r in rows],
         "marker": {"color": NHS_WARM_YELLOW, "symbol": "triangle-up", "size": 10}},
        {"type": "scatter", "mode": "markers", "name": "Leavers", "x": months, "y": [r.leavers for r in rows],
         "marker": {"color": NHS_RED, "symbol": "triangle-down", "size": 10}},
    ]  # fmt: skip
    return _figure(
        data, f"Staff in post, {employer}", f"register-staff-{employer}", {"title": {"text": "People / FTE"}}
    )


def rates_trend(rows: Sequence[MonthFigures], employer: str) -> FigureDict:
    """12-month turnover and vacancy rate at each month end (percent)."""
    months = [r.month for r in rows]

    def pct(values: Sequence[float | None]) -> list[float | None]:
        return [None if v is None else round(100 * v, 1) for v in values]

    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines+markers", "name": "12-month turnover", "x": months,
         "y": pct([r.turnover_12m for r in rows]), "line": {"color": NHS_RED}},
        {"type": "scatter", "mode": "lines+markers", "name": "Vacancy rate", "x": months,
         "y": pct([r.vacancy_rate for r in rows]), "line": {"color": NHS_WARM_YELLOW}},
    ]  # fmt: skip
    return _figure(data, f"Turnover and vacancies, {employer}", f"register-rates-{employer}",
                   {"title": {"text": "Percent"}, "ticksuffix": "%"})  # fmt: skip
