"""Fan charts of the supply projection: P10-P90 bands around the P50 line, by year.

Pure functions from a :class:`SupplyReport` to Plotly figure dicts (see :mod:`gpworkforce.web.figures`
for why dicts, and for the shared layout). A projection whose ages are partly England's profile
says "estimate" in its title, so a PNG exported from the page still says so.
"""

from __future__ import annotations

from typing import Any

from gpworkforce.services.supply_results import SupplyReport
from gpworkforce.web.chart_credit import ChartCredit
from gpworkforce.web.figures import NHS_BLUE, NHS_DARK_GREY, NHS_GREEN, NHS_RED, FigureDict, _figure, _values
from gpworkforce.web.rows import records

ROLE_WORDS = {"gp": "GPs", "practice_nurse": "Practice nurses"}
ROLE_COLOURS = {"gp": NHS_BLUE, "practice_nurse": NHS_GREEN}


HOVER = "%{x}: P50 %{y:,.1f} (P10 %{customdata[0]:,.1f} to P90 %{customdata[1]:,.1f})<extra></extra>"


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _fan(x: list[int], low: list[Any], mid: list[Any], high: list[Any], name: str, colour: str) -> list[dict[str, Any]]:
    """A P10-P90 band (two traces, the upper filled down to the lower) and the P50 line."""
    group = name
    return [
        {"type": "scatter", "x": x, "y": low, "mode": "lines", "line": {"width": 0, "color": colour},
         "name": f"{name} P10", "legendgroup": group, "showlegend": False, "hoverinfo": "skip"},
        {"type": "scatter", "x": x, "y": high, "mode": "lines", "line": {"width": 0, "color": colour},
         "fill": "tonexty", "fillcolor": _rgba(colour, 0.2), "name": f"{name}: P10 to P90",
         "legendgroup": group, "hoverinfo": "skip"},
        {"type": "scatter", "x": x, "y": mid, "mode": "lines+markers", "line": {"width": 2, "color": colour},
         "name": f"{name}: P50", "legendgroup": group,
         "customdata": [[lo, hi] for lo, hi in zip(low, high, strict=True)],
         "hovertemplate": HOVER},
    ]  # fmt: skip


def _tag(report: SupplyReport) -> str:
    return " (estimate: England's age profile)" if report.summary.estimate else ""


def fte_fan(report: SupplyReport, filename: str = "supply-fte", credit: ChartCredit | None = None) -> FigureDict:
    """FTE by role, P10/P50/P90, from today to the last projection year."""
    rows = records(report.frames()["fte"])
    data: list[dict[str, Any]] = []
    for role, words in ROLE_WORDS.items():
        mine = [r for r in rows if r["role"] == role]
        if not mine:
            continue
        x = [int(r["calendar_year"]) for r in mine]
        data += _fan(
            x,
            _values([r["fte_p10"] for r in mine], 1),
            _values([r["fte_p50"] for r in mine], 1),
            _values([r["fte_p90"] for r in mine], 1),
            words,
            ROLE_COLOURS[role],
        )
    title = f"Projected FTE by role ({report.summary.preset}){_tag(report)}"
    return _figure(
        data, title, 380, filename, credit,
        xaxis={"title": {"text": "Year"}, "dtick": 1}, yaxis={"title": {"text": "FTE"}, "rangemode": "tozero"},
    )  # fmt: skip


def gap_fan(report: SupplyReport, filename: str = "supply-gap", credit: ChartCredit | None = None) -> FigureDict:
    """The weekly appointment gap (demand minus capacity), P10/P50/P90, with zero marked."""
    rows = records(report.frames()["gap"])
    x = [int(r["calendar_year"]) for r in rows]
    data = _fan(
        x,
        _values([r["gap_per_week_p10"] for r in rows], 0),
        _values([r["gap_per_week_p50"] for r in rows], 0),
        _values([r["gap_per_week_p90"] for r in rows], 0),
        "Weekly gap",
        NHS_RED,
    )
    title = f"Weekly appointment gap{_tag(report)}"
    return _figure(
        data, title, 340, filename, credit,
        xaxis={"title": {"text": "Year"}, "dtick": 1},
        yaxis={"title": {"text": "Appointments a week (above 0: shortfall)"}, "zeroline": True,
               "zerolinecolor": NHS_DARK_GREY},
    )  # fmt: skip


def gp_required_fan(
    report: SupplyReport, filename: str = "supply-gps", credit: ChartCredit | None = None
) -> FigureDict:
    """GP FTE available (P10/P50/P90) against GP FTE required by projected demand."""
    rows = records(report.frames()["gap"])
    x = [int(r["calendar_year"]) for r in rows]
    data = _fan(
        x,
        _values([r["gp_fte_available_p10"] for r in rows], 1),
        _values([r["gp_fte_available_p50"] for r in rows], 1),
        _values([r["gp_fte_available_p90"] for r in rows], 1),
        "GP FTE available",
        NHS_BLUE,
    )
    required = _values([r["gp_fte_required"] if r["gp_fte_required"] is not None else float("nan") for r in rows], 1)
    data.append(
        {"type": "scatter", "x": x, "y": required, "mode": "lines", "name": "GP FTE required",
         "line": {"width": 2, "dash": "dash", "color": NHS_DARK_GREY},
         "hovertemplate": "%{x}: %{y:,.1f} GP FTE required<extra></extra>"}
    )  # fmt: skip
    title = f"GPs required against GPs available (FTE){_tag(report)}"
    return _figure(
        data, title, 340, filename, credit,
        xaxis={"title": {"text": "Year"}, "dtick": 1}, yaxis={"title": {"text": "GP FTE"}, "rangemode": "tozero"},
    )  # fmt: skip
