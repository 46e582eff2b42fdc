"""What the retirement-risk and supply-projection parts of an organisation page show.

Query fields (all bounded; anything else is a :class:`WorkforceParamError`, a 400 naming the field):
``preset`` (reference/supply_presets.csv), ``years`` 1-10, ``draws`` 1-:data:`WEB_MAX_DRAWS` (the
web runs fewer draws by default than the CLI so a page answers quickly; the CLI and API allow
more), ``sort`` (a retirement column) and ``dir`` (asc/desc). The retirement thresholds are the
administrator's (``services.rag_thresholds``), so the table answers to a changed threshold at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from gpworkforce.reference.supply import PRESETS
from gpworkforce.services.rag_thresholds import current_thresholds
from gpworkforce.services.retirement import Thresholds, retirement_report
from gpworkforce.services.supply import supply_report
from gpworkforce.services.supply_results import RetirementReport, SupplyReport
from gpworkforce.web import supply_figures
from gpworkforce.web.chart_credit import ChartCredit, chart_credit
from gpworkforce.web.context import Snapshot
from gpworkforce.web.formatting import display_name
from gpworkforce.web.results_parts import Chart
from gpworkforce.web.rows import records

WEB_DEFAULT_DRAWS: Final = 200
WEB_MAX_DRAWS: Final = 1000
DEFAULT_PRESET: Final = "calibrated"
#: Most retirement rows on a page (the download has them all).
MAX_RETIREMENT_ROWS: Final = 200
RAG_ORDER: Final = {"red": 0, "amber": 1, "green": 2, "no age data": 3}
ROLE_LABELS: Final = {"gp": "GP", "practice_nurse": "Practice nurse"}
#: Sortable retirement columns: key -> (heading, cell format).
RETIREMENT_COLUMNS: Final = {
    "practice_name": ("Practice", "text"),
    "role": ("Role", "text"),
    "rag": ("RAG", "text"),
    "heads": ("Headcount", "dec1"),
    "fte": ("FTE", "dec1"),
    "heads_55_plus": ("Heads 55+", "dec1"),
    "heads_60_plus": ("Heads 60+", "dec1"),
    "fte_55_plus": ("FTE 55+", "dec1"),
    "fte_60_plus": ("FTE 60+", "dec1"),
    "share_fte_leaving_2y": ("Leaving in 2 years", "pct"),
    "share_fte_leaving_5y": ("Leaving in 5 years", "pct"),
    "age_source": ("Ages from", "text"),
}


class WorkforceParamError(ValueError):
    """A query field out of range; the message names it."""


@dataclass(frozen=True)
class SupplyChoice:
    preset: str = DEFAULT_PRESET
    years: int = 10
    draws: int = WEB_DEFAULT_DRAWS

    def query(self) -> dict[str, str]:
        return {"preset": self.preset, "years": str(self.years), "draws": str(self.draws)}


def _int(raw: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = (raw.get(name) or "").strip()
    if not text:
        return default
    if len(text) > 6 or not text.isdigit():
        raise WorkforceParamError(f"{name} must be a whole number from {low} to {high:,}")
    value = int(text)
    if not low <= value <= high:
        raise WorkforceParamError(f"{name} must be from {low} to {high:,}, not {value:,}")
    return value


def supply_choice(raw: Mapping[str, str]) -> SupplyChoice:
    """The projection the query asks for (defaults for missing fields)."""
    preset = (raw.get("preset") or DEFAULT_PRESET).strip()
    if preset not in PRESETS:
        raise WorkforceParamError(f"preset must be one of {', '.join(PRESETS)}")
    years = _int(raw, "years", 10, 1, 10)
    draws = _int(raw, "draws", WEB_DEFAULT_DRAWS, 1, WEB_MAX_DRAWS)
    return SupplyChoice(preset, years, draws)


def retirement_sort(raw: Mapping[str, str]) -> tuple[str | None, str]:
    """``sort`` and ``dir``; no sort keeps the service's order (red first, then by share aged 55+)."""
    sort = raw.get("sort") or None
    if sort is not None and sort not in RETIREMENT_COLUMNS:
        raise WorkforceParamError(f"sort must be one of {', '.join(RETIREMENT_COLUMNS)}")
    direction = raw.get("dir") or "asc"
    if direction not in ("asc", "desc"):
        raise WorkforceParamError("dir must be asc or desc")
    return sort, direction


def thresholds(snap: Snapshot) -> Thresholds:
    return current_thresholds(snap.dashboard.workspace.engine, snap.version.reference.general)


def retirement(snap: Snapshot, code: str, t: Thresholds | None = None) -> RetirementReport:
    """The report at the thresholds in force, memoised per version, organisation and thresholds."""
    org = snap.org(code)
    t = t or thresholds(snap)
    return snap.cached(("retirement", org.code, t), lambda: retirement_report(snap.version, org.code, t), "reports")


def supply(snap: Snapshot, code: str, choice: SupplyChoice) -> SupplyReport:
    org = snap.org(code)
    return supply_report(snap.version, org.code, choice.years, choice.draws, choice.preset)


def _sort_key(column: str) -> Any:
    def key(row: dict[str, Any]) -> tuple[int, Any]:
        value = row[column]
        if column == "rag":
            return (0, RAG_ORDER.get(value, 9))
        if value is None:
            return (1, 0)
        return (0, value.lower() if isinstance(value, str) else value)

    return key


def sorted_rows(rows: list[dict[str, Any]], sort: str | None, direction: str) -> list[dict[str, Any]]:
    """Rows by ``sort`` (missing values last either way), else as given."""
    if sort is None:
        return rows
    present = [r for r in rows if r[sort] is not None]
    missing = [r for r in rows if r[sort] is None]
    return sorted(present, key=_sort_key(sort), reverse=direction == "desc") + missing


def _credit(snap: Snapshot, code: str) -> ChartCredit:
    org = snap.org(code)
    return chart_credit(display_name(org.name), org.code, org.level, snap.base_year, snap.data.periods)


def retirement_context(snap: Snapshot, code: str, raw: Mapping[str, str], base: str) -> dict[str, Any]:
    """Context of ``org/_retirement_partial.html``; ``base`` is the page the sort links reload."""
    sort, direction = retirement_sort(raw)
    t = thresholds(snap)
    report = retirement(snap, code, t)
    org = snap.org(code)
    rows = records(report.frames()["practices"])
    sources = {role: Counter(r["age_source"] for r in rows if r["role"] == role) for role in ROLE_LABELS}
    ordered = sorted_rows(rows, sort, direction)
    keep = {k: v for k, v in raw.items() if k in ("preset", "years", "draws")}
    headers = []
    for key, (label, fmt) in RETIREMENT_COLUMNS.items():
        nxt = "desc" if sort == key and direction == "asc" else "asc"
        query = urlencode({**keep, "sort": key, "dir": nxt})
        headers.append(
            {
                "key": key, "label": label, "fmt": fmt, "next": "descending" if nxt == "desc" else "ascending",
                "href": f"{base}?{query}", "hx": f"/org/{org.code}/workforce/retirement?{query}",
                "aria_sort": ("ascending" if direction == "asc" else "descending") if sort == key else None,
            }
        )  # fmt: skip
    return {
        "org": org,
        "retirement": report,
        "retirement_summary": report.summary,
        "rows": ordered[:MAX_RETIREMENT_ROWS],
        "total_rows": len(rows),
        "headers": headers,
        "sort": sort,
        "dir": direction,
        "sources": sources,
        "role_labels": ROLE_LABELS,
        "thresholds": t,
        "retirement_downloads": {ext: f"/org/{org.code}/download/retirement.{ext}" for ext in ("csv", "xlsx")},
    }


def supply_context(snap: Snapshot, code: str, raw: Mapping[str, str]) -> dict[str, Any]:
    """Context of ``org/_supply_partial.html``: the fan charts, tables and the preset chooser."""
    choice = supply_choice(raw)
    report = supply(snap, code, choice)
    org = snap.org(code)
    credit = _credit(snap, code)
    stem = f"gpworkforce-{org.code}-supply-{choice.preset}"
    charts = {
        "fte": Chart("chart-supply-fte", supply_figures.fte_fan(report, f"{stem}-fte", credit),
                     "Projected FTE of GPs and practice nurses: the line is the median (P50) of the draws, the band "
                     "runs from P10 to P90; the same figures are in the table below."),
        "gap": Chart("chart-supply-gap", supply_figures.gap_fan(report, f"{stem}-gap", credit),
                     "Weekly appointment gap (demand minus capacity) as the workforce changes: median and P10 to P90."),
        "gps": Chart("chart-supply-gps", supply_figures.gp_required_fan(report, f"{stem}-gps", credit),
                     "GP FTE available (median and P10 to P90) against the GP FTE projected demand requires."),
    }  # fmt: skip
    query = urlencode(choice.query())
    fte_rows = [{**r, "role_label": ROLE_LABELS.get(r["role"], r["role"])} for r in records(report.frames()["fte"])]
    return {
        "org": org,
        "supply": report,
        "supply_summary": report.summary,
        "choice": choice,
        "presets": PRESETS,
        "max_draws": WEB_MAX_DRAWS,
        "charts": charts,
        "fte_rows": fte_rows,
        "gap_rows": records(report.frames()["gap"]),
        "supply_downloads": {
            name: {ext: f"/org/{org.code}/download/{name}.{ext}?{query}" for ext in ("csv", "xlsx")}
            for name in ("supply_fte", "supply_gap", "supply_age_bands")
        },
    }
