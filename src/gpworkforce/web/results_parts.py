"""The results of an organisation page, rendered in parts, each cached by what it depends on.

The body (cards, demand, gap, capacity, benchmarks, the table of organisations below, notes) is
rendered once per data version, organisation and the scenario fields each part depends on
(:data:`PARTS`), and shared by every request and user: moving the skill-mix slider re-renders the
cards, the gap and the table of organisations, not the population pyramid, demand or benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from gpworkforce.scenario import DEFAULT_CAPACITY_STANDARD, Scenario
from gpworkforce.services.organisations import CHILD_LEVELS, LEVEL_LABELS
from gpworkforce.services.periods_text import data_dates, period_words
from gpworkforce.services.provenance import TAG_LEGEND
from gpworkforce.services.results import FteProvenance
from gpworkforce.web import figures
from gpworkforce.web.chart_credit import ChartCredit, chart_credit
from gpworkforce.web.context import Snapshot
from gpworkforce.web.formatting import LEVEL_PLURALS, display_name, fmt_number, fmt_pct, fmt_signed
from gpworkforce.web.month_choice import month_label
from gpworkforce.web.panel import describe_scenario
from gpworkforce.web.plotly_offline import embeddable_json
from gpworkforce.web.rows import records
from gpworkforce.web.scenario_form import STANDARD_OPTIONS
from gpworkforce.web.views import CHILD_COLUMNS, MAX_TABLE_ROWS, OrgView, relevant, scenario_key, sort_table

#: Query fields that order the tables (kept in share links and part keys).
PRESENTATION: Final = ("sort", "dir", "by")


def org_url(code: str, params: Mapping[str, str] | None = None, suffix: str = "", **extra: str | None) -> str:
    """``/org/{code}{suffix}?{scenario params}&{extra}``, skipping empty extras."""
    fields = dict(params or {})
    fields.update({k: v for k, v in extra.items() if v})
    query = urlencode(fields)
    return f"/org/{code}{suffix}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Chart:
    """A chart on the page: element id, figure dict, caption, and the figure as embeddable JSON."""

    id: str
    figure: dict[str, Any]
    caption: str

    @cached_property
    def json(self) -> Markup:
        return embeddable_json(self.figure)


def _stem(view: OrgView, params: Mapping[str, str]) -> str:
    """Chart file names: ``gpworkforce-{code}``, with ``-scenario`` when levers change the chart."""
    return f"gpworkforce-{view.code}" + ("-scenario" if params else "")


def _links(view: OrgView, params: Mapping[str, str], *names: str) -> dict[str, dict[str, str]]:
    """CSV and Excel links of the named tables, carrying the scenario fields they depend on."""
    return {t: {ext: org_url(view.code, params, f"/download/{t}.{ext}") for ext in ("csv", "xlsx")} for t in names}


def share_url(view: OrgView, raw: Mapping[str, str]) -> str:
    """The page address of this scenario and table order (the share link, and HX-Push-Url)."""
    return org_url(view.code, view.page_params, by=raw.get("by") or None, sort=raw.get("sort"), dir=raw.get("dir"))


def month_figure(view: OrgView) -> dict[str, Any] | None:
    """Expected appointments in the page's month, with its working days and seasonal factor."""
    report = view.month_demand
    if report is None or view.month is None:
        return None
    d = report.summary
    return {
        "label": month_label(view.month),
        "appointments": d.appointments_in_month,
        "working_days": d.working_days_in_month,
        "seasonal_factor": d.seasonal_factor,
        "year": d.year,
        "projected": d.year != view.year,
    }


def card_dates(view: OrgView) -> dict[str, str]:
    """The data dates the cards show ("July 2026 lists", "workforce April 2024 to March 2025")."""
    words = {d.kind: d.words for d in data_dates(view.snap.version)}
    appointments = view.snap.data.periods.get("subicb_appointments") or view.snap.data.periods.get("appointments")
    return {
        "patients": words["patients"],
        "workforce": words["workforce"],
        "appointments": period_words(appointments) if appointments else "not loaded",
    }


def fte_short(fte: FteProvenance | None) -> str:
    """``FTE of 1 corrected and 2 estimated practices`` for the capacity card ("" when all are published)."""
    if fte is None:
        return ""
    parts = []
    if fte.corrected:
        parts.append(f"{fte.corrected:,} corrected")
    if fte.estimated:
        parts.append(f"{fte.estimated:,} estimated")
    if not parts:
        return ""
    return f"FTE of {' and '.join(parts)} {'practice' if fte.corrected + fte.estimated == 1 else 'practices'}"


def fte_caption(fte: FteProvenance | None) -> str:
    """`` FTE of 3 practices: ... 1 corrected ...`` after a capacity chart's caption when any FTE are
    estimated or corrected ("" when all are published), so the chart says so where it is shown."""
    return "" if fte is None or fte.all_published else f" {fte.text}."


def summary_part(view: OrgView, raw: Mapping[str, str]) -> dict[str, Any]:
    """Heading, scenario in words, share link, the summary cards, the month and the calibration layers."""
    fte = view.gap.fte_provenance
    return {
        "dates": card_dates(view),
        "fte": fte,
        "fte_short": fte_short(fte),
        "level_word": "organisation" if view.level == "england" else LEVEL_LABELS[view.level].lower(),
        "share_url": share_url(view, raw),
        "changed_levers": describe_scenario(view),
        "downloads": _links(view, view.scenario_params, "summary"),
        "month": month_figure(view),
        "calibration": view.calibration,
    }


def _credit(view: OrgView, *, with_year: bool = True) -> ChartCredit:
    """Organisation, year and data dates drawn into a chart (so its exported PNG carries them)."""
    year = view.year if with_year else None
    return chart_credit(display_name(view.org.name), view.code, view.level, year, view.snap.data.periods)


def demand_part(view: OrgView) -> dict[str, Any]:
    """Population pyramid and demand by need category, with their tables."""
    params = view.params_for("demand")
    stem = _stem(view, params)
    d = view.demand.summary
    cats = records(view.demand.frames()["categories"].sort_values("appointments_per_week", ascending=False))
    top = cats[0] if cats else None
    ages = view.demand.frames()["age_bands"]
    lower_age = ages["age_band"].astype(str).str.split("_").str[0].str.rstrip("+").astype(int)
    over_65 = ages.loc[lower_age >= 65, "patients"].sum()
    share_65 = over_65 / d.registered_patients if d.registered_patients else 0.0
    name = display_name(view.org.name)
    bands = ages.assign(band=lambda f: f["age_band"].astype(str).str.replace("_", " to ").str.replace("+", " and over"))
    return {
        "charts": {
            "pyramid": Chart(
                "chart-pyramid",
                figures.population_pyramid(view.demand, f"{stem}-population", _credit(view)),
                f"Registered patients of {name} by five-year age band and sex, {view.year}: "
                f"{fmt_number(d.registered_patients)} patients, {fmt_pct(share_65)} aged 65 or over.",
            ),
            "categories": Chart(
                "chart-categories",
                figures.demand_by_category(view.demand, f"{stem}-demand-by-category", _credit(view)),
                f"Appointments a week by need category, split between GPs and other staff: "
                f"{fmt_number(d.appointments_per_week)} a week in all"
                + (
                    f"; {fmt_number(d.gp_appointments_moved_per_week)} a week moved from GPs to other staff "
                    "in this scenario"
                    if d.gp_appointments_moved_per_week > 0.5
                    else ""
                )
                + (
                    f"; the largest category is {top['label']} ({fmt_number(top['appointments_per_week'])})."
                    if top is not None
                    else "."
                ),
            ),
        },
        "tables": {"age_bands": records(bands), "categories": cats},
        "downloads": _links(view, params, "age_bands", "categories"),
    }


def gap_part(view: OrgView) -> dict[str, Any]:
    """Demand against capacity and the gap by role (charts and table)."""
    stem = _stem(view, view.scenario_params)
    g = view.gap.summary
    roles = view.gap.frames()["roles"]
    worst = max(records(roles), key=lambda r: r["gap_per_week"], default=None)
    active = (roles["fte"].abs() > 0.005) | (roles["demand_per_week"] > 0.05) | (roles["capacity_per_week"] > 0.05)
    shown = roles[active]
    return {
        "charts": {
            "demand_capacity": Chart(
                "chart-demand-capacity",
                figures.demand_vs_capacity(view.gap, f"{stem}-demand-and-capacity", _credit(view)),
                f"Weekly demand and capacity by role: {fmt_number(g.demand_per_week)} appointments needed "
                f"against {fmt_number(g.capacity_per_week)} appointment slots." + fte_caption(view.gap.fte_provenance),
            ),
            "gap": Chart(
                "chart-gap",
                figures.gap_by_role(view.gap, view.baseline_gap, f"{stem}-gap-by-role", _credit(view)),
                "Weekly gap by role (demand minus capacity; above zero is a shortfall): "
                f"{fmt_signed(g.gap_per_week)} appointments a week in all"
                + (
                    f"; the largest shortfall is for {worst['label']} ({fmt_signed(worst['gap_per_week'])})."
                    if worst is not None and worst["gap_per_week"] > 0
                    else "."
                )
                + (
                    ""
                    if view.baseline_gap is None
                    else f" Grey bars show the baseline ({fmt_signed(view.baseline_gap.summary.gap_per_week)} in all)."
                ),
            ),
        },
        "tables": {"gap_roles": records(shown)},
        "downloads": _links(view, view.scenario_params, "gap_roles"),
        "standard": standard_text(g.capacity_standard),
    }


def standard_text(standard: str) -> str:
    """The capacity standard in words, saying which one is the default (shown beside every gap)."""
    label = STANDARD_OPTIONS.get(standard, standard)
    default = DEFAULT_CAPACITY_STANDARD
    if standard == default:
        return f"Capacity standard: {label}, the default. Change it in the scenario panel."
    return f"Capacity standard: {label}; the default is {STANDARD_OPTIONS[default].lower()}."


def capacity_part(view: OrgView) -> dict[str, Any]:
    """Staff and appointment slots by role."""
    cap = view.capacity.frames()["roles"]
    cap = cap[(cap["fte"].abs() > 0.005) | (cap["capacity_per_week"] > 0.05)]
    return {
        "tables": {"capacity_roles": records(cap)},
        "downloads": _links(view, view.params_for("capacity"), "capacity_roles"),
    }


def benchmarks_part(view: OrgView) -> dict[str, Any]:
    """FTE per 1,000 patients and patients per FTE against the comparators (no scenario)."""
    bench = view.benchmark.frames()["staff_groups"]
    keys = [c[: -len("_fte_per_1000")] for c in bench.columns if c.endswith("_fte_per_1000")]
    comparators = [str(n) for n in view.benchmark.summary.comparators]
    this = "England" if view.level == "england" else "This " + LEVEL_LABELS[view.level].lower()
    names = [this if i == 0 else n for i, n in enumerate(comparators)]
    per_1000 = [("label", "Staff group", "text")] + [
        (f"{k}_fte_per_1000", names[i] if i < len(names) else k, "dec2") for i, k in enumerate(keys)
    ]
    if "percentile_in_icb" in bench.columns:
        per_1000.append(("percentile_in_icb", "Percentile among the ICB's practices", "int"))
    per_fte = [("label", "Staff group", "text")] + [
        (f"{k}_patients_per_fte", names[i] if i < len(names) else k, "int") for i, k in enumerate(keys)
    ]
    return {
        "charts": {
            "benchmarks": Chart(
                "chart-benchmarks",
                figures.benchmark_chart(
                    view.benchmark, f"gpworkforce-{view.code}-benchmarks", _credit(view, with_year=False)
                ),
                "Staff per 1,000 registered patients by staff group"
                + (", against " + ", ".join(comparators[1:]) if comparators[1:] else "")
                + ".",
            )
        },
        "tables": {
            "benchmarks": records(bench),
            "bench_per_1000_columns": per_1000,
            "bench_per_fte_columns": per_fte,
        },
        "downloads": _links(view, {}, "benchmarks"),
    }


def children_context(view: OrgView, sort: str | None, direction: str | None, oob: bool = False) -> dict[str, Any]:
    """The sortable table of organisations one level down, capped at MAX_TABLE_ROWS rows."""
    if view.children is None or view.by is None:
        return {"children": None}
    frame = view.children.frames()["organisations"]
    ordered, key, dir_ = sort_table(frame, sort, direction)
    shown = ordered.head(MAX_TABLE_ROWS)
    params = view.page_params
    by_default = view.by == _default_by(view)
    by = None if by_default else view.by
    headers = []
    for col in CHILD_COLUMNS:
        current = col.key == key
        next_dir = ("desc" if dir_ == "asc" else "asc") if current else ("asc" if col.fmt == "text" else "desc")
        headers.append(
            {
                "column": col,
                "aria_sort": ("ascending" if dir_ == "asc" else "descending") if current else None,
                "href": org_url(view.code, params, sort=col.key, dir=next_dir, by=by),
                "hx": org_url(view.code, params, "/children", sort=col.key, dir=next_dir, by=by),
                "next": "ascending" if next_dir == "asc" else "descending",
            }
        )
    by_links = [
        {
            "level": level,
            "label": LEVEL_PLURALS[level],
            "current": level == view.by,
            "href": org_url(view.code, params, by=None if level == _default_by(view) else level),
            "hx": org_url(view.code, params, "/children", by=None if level == _default_by(view) else level),
        }
        for level in view.by_choices
    ]
    extra = [c for c in ("fte_flag", "data_check") if c in shown.columns]
    flags = shown["fte_flag"] if "fte_flag" in shown.columns else None
    return {
        "children": records(shown[["code", *(c.key for c in CHILD_COLUMNS if c.key != "code"), *extra]]),
        "children_fte_legend": TAG_LEGEND if flags is not None and (flags != "").any() else None,
        "children_checks": int((shown["data_check"] != "").sum()) if "data_check" in shown.columns else 0,
        "children_total": len(frame),
        "children_columns": CHILD_COLUMNS,
        "children_headers": headers,
        "children_by": view.by,
        "children_by_links": by_links,
        "sort": key,
        "dir": dir_,
        "by_param": by,
        "children_download": {
            ext: org_url(view.code, params, f"/download/children.{ext}", by=by) for ext in ("csv", "xlsx")
        },
        "oob": oob,
    }


def _default_by(view: OrgView) -> str | None:
    return CHILD_LEVELS.get(view.level)


@dataclass(frozen=True)
class Part:
    """One cached piece of the results: its template, what it depends on, and its context.

    ``depends`` names the scenario fields the part's numbers depend on: ``scenario`` (all of
    them), ``demand`` or ``capacity`` (those reports' fields, see ``context.REPORT_FIELDS``),
    ``org`` (none), and ``presentation`` adds the table order (sort, dir, by). A part is rendered
    once per data version, organisation and those fields, and shared by every request and user,
    so it holds nothing per user (no CSRF token, no signed-in name).
    """

    template: str
    depends: str
    build: Callable[[OrgView, Mapping[str, str]], dict[str, Any]]


#: The results in page order; ``_results_partial.html`` puts the per-user bits between them.
PARTS: Final = {
    "summary": Part("org/_results_summary.html", "scenario+presentation", summary_part),
    "demand": Part("org/_results_demand.html", "demand", lambda view, raw: demand_part(view)),
    "gap": Part("org/_results_gap.html", "scenario", lambda view, raw: gap_part(view)),
    "capacity": Part("org/_results_capacity.html", "capacity", lambda view, raw: capacity_part(view)),
    "benchmarks": Part("org/_results_benchmarks.html", "org", lambda view, raw: benchmarks_part(view)),
    "children": Part(
        "org/_children_partial.html",
        "scenario+presentation",
        lambda view, raw: {"view": view, **children_context(view, raw.get("sort"), raw.get("dir"))},
    ),
    # the notes of the table of organisations below depend on its level (by)
    "notes": Part("org/_results_notes.html", "scenario+presentation", lambda view, raw: {"view": view}),
}


def _part_key(view: OrgView, name: str, part: Part, raw: Mapping[str, str]) -> tuple[Hashable, ...]:
    kind, _, presentation = part.depends.partition("+")
    scenario = Scenario() if kind == "org" else relevant(kind, view.scenario)
    order = (*(raw.get(k) or "" for k in PRESENTATION), view.month or "") if presentation else ()
    return ("part", name, view.code, scenario_key(scenario), *order)


def results_context(
    snap: Snapshot, view: OrgView, raw: Mapping[str, str], htmx: bool, templates: Jinja2Templates
) -> dict[str, Any]:
    """What ``_results_partial.html`` needs (also the page, which includes it).

    Each part of the body is rendered once per data version, organisation and the scenario
    fields it depends on (:data:`PARTS`), and shared by every request and user: moving the
    skill-mix slider re-renders the cards, the gap and the table of organisations, not the
    population pyramid, demand or benchmarks. The per-user parts are added by the partial.
    """

    def render(name: str, part: Part) -> Markup:
        def build() -> Markup:
            context = {"view": view, **part.build(view, raw)}
            return Markup(templates.get_template(part.template).render(context))

        return snap.cached(_part_key(view, name, part, raw), build, "parts")

    gap = view.gap.summary
    status = (
        f"Results updated for {view.year}: weekly gap {fmt_signed(gap.gap_per_week)} appointments "
        f"({fmt_pct(gap.gap_share_of_demand)} of demand); GP gap {fmt_signed(gap.gp_gap_per_week)} a week."
    )
    body = {name: render(name, part) for name, part in PARTS.items() if name != "children" or view.by}
    return {
        "view": view,
        "org": view.org,
        "scenario": view.scenario,
        "scenario_params": view.scenario_params,
        "share_url": share_url(view, raw),
        "status_text": status,
        "body": body,
        "htmx": htmx,
    }
