"""Organisation pages: ``/org/{code}`` with its scenario panel, and the HTMX fragments.

How the scenario panel works (templates/org/_panel.html):

- The panel is a GET form whose action is the page itself, so without JavaScript "Update
  results" reloads ``/org/{code}?<fields>`` and the page renders that scenario.
- With JavaScript, HTMX sends the same fields to ``/org/{code}/results`` whenever a control
  changes (``input changed delay:250ms``) and swaps the answer, ``_results_partial.html``
  (cards, charts, tables), into ``#results``. The response carries ``HX-Push-Url`` with the
  canonical page address (``scenario_to_params``: only fields that differ from the baseline),
  so the address bar is always a share link that renders the same results as a full page.
- The children table sorts server-side: ``?sort=col&dir=asc|desc`` on the page, or the
  ``/org/{code}/children`` fragment for HTMX.
- An invalid field gives an NHS error message naming it: a 400 page, or a 400 fragment
  (``static/js/scenario-panel.js`` lets HTMX swap 400s into the results).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.scenario import Scenario
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.organisations import CHILD_LEVELS, LEVEL_LABELS, UnknownOrganisation
from gpworkforce.web import figures
from gpworkforce.web.context import (
    CHILD_COLUMNS,
    LEVEL_PLURALS,
    MAX_TABLE_ROWS,
    OrgView,
    Snapshot,
    build_view,
    display_name,
    fmt_lever,
    fmt_number,
    fmt_pct,
    fmt_signed,
    lever_decimals,
    relevant,
    scenario_key,
    sort_table,
)
from gpworkforce.web.deps import DashboardDep, Viewer, ready_snapshot
from gpworkforce.web.errors import is_htmx
from gpworkforce.web.plotly_offline import embeddable_json
from gpworkforce.web.rows import records
from gpworkforce.web.scenario_form import LEVERS, OPTIONAL_LEVERS, PANEL_ROLES, Lever, ScenarioError, field_id

router = APIRouter(include_in_schema=False)

PRESENTATION = ("sort", "dir", "by")


# --- URLs -----------------------------------------------------------------------------------------


def query_dict(request: Request) -> dict[str, str]:
    """The query string as a dict (the last value of a repeated field wins)."""
    return dict(request.query_params)


def org_url(code: str, params: Mapping[str, str] | None = None, suffix: str = "", **extra: str | None) -> str:
    """``/org/{code}{suffix}?{scenario params}&{extra}``, skipping empty extras."""
    fields = dict(params or {})
    fields.update({k: v for k, v in extra.items() if v})
    query = urlencode(fields)
    return f"/org/{code}{suffix}" + (f"?{query}" if query else "")


# --- Panel ------------------------------------------------------------------------------------------


@dataclass
class Control:
    """One panel control, ready for the template."""

    name: str
    label: str
    kind: str  # select | range | text
    value: str
    hint: str = ""
    display: str = ""
    minimum: float = 0.0
    maximum: float = 0.0
    step: float = 1.0
    unit: str = ""
    decimals: int = 0
    signed: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    toggle: dict[str, Any] | None = None
    placeholder: str = ""
    error: str | None = None

    @property
    def id(self) -> str:
        return field_id(self.name)


def _raw_or(raw: Mapping[str, str], name: str, value: float | None) -> str:
    if name in raw:
        return str(raw[name])
    return "" if value is None else f"{value:g}"


def _float(text: str, default: float) -> float:
    try:
        return float(text)
    except ValueError:
        return default


def panel_controls(
    snap: Snapshot, raw: Mapping[str, str], scenario: Scenario, error: ScenarioError | None
) -> dict[str, list[Control]]:
    """The LEVERS (year select, sliders) and, under "More levers", extra FTE and slot minutes."""
    from_panel = bool(raw.get("panel"))
    levers: list[Control] = []
    for lever in LEVERS:
        levers.append(_lever_control(snap, lever, raw, scenario, from_panel))
    minutes_now = snap.role_minutes
    added = [
        Control(
            name=f"added_fte.{role}",
            label=ROLE_BY_CODE[role].label,
            kind="text",
            value=_raw_or(raw, f"added_fte.{role}", scenario.added_fte.get(role)),
        )
        for role in PANEL_ROLES
    ]
    minutes = [
        Control(
            name=f"minutes.{role}",
            label=f"{ROLE_BY_CODE[role].label} (now {minutes_now[role]:g} minutes)",
            kind="text",
            value=_raw_or(raw, f"minutes.{role}", scenario.minutes.get(role)),
            placeholder=f"{minutes_now[role]:g}",
        )
        for role in PANEL_ROLES
    ]
    groups = {"levers": levers, "added": added, "minutes": minutes}
    if error is not None:
        for control in (c for group in groups.values() for c in group):
            if control.name == error.field:
                control.error = error.message
    return groups


def _lever_control(
    snap: Snapshot, lever: Lever, raw: Mapping[str, str], scenario: Scenario, from_panel: bool
) -> Control:
    current = getattr(scenario, lever.name)
    if lever.name == "year":
        first = max(int(lever.minimum), snap.base_year)
        years = range(first, int(lever.maximum) + 1)
        chosen = raw.get("year") or str(current or snap.base_year)
        options = [(str(y), f"{y} (latest data)" if y == snap.base_year else str(y)) for y in years]
        return Control(lever.name, lever.label, "select", chosen, hint=lever.hint, options=options)
    toggle = None
    start = lever.default
    if lever.name in OPTIONAL_LEVERS:
        toggle_name = OPTIONAL_LEVERS[lever.name]
        checked = bool(raw.get(toggle_name)) if from_panel else current is not None
        label = (
            "Plan for a different DNA rate"
            if lever.name == "dna_rate"
            else "Use this growth rate instead of ONS projections"
        )
        toggle = {"name": toggle_name, "id": field_id(toggle_name), "label": label, "checked": checked}
        # DNA: today's national rate on the slider's grid; growth: none
        start = round(round(snap.national_dna_rate / lever.step) * lever.step, 6) if lever.name == "dna_rate" else 0.0
    value_text = raw.get(lever.name) or (f"{current:g}" if current is not None else f"{start or 0.0:g}")
    value = _float(value_text, start or 0.0)
    return Control(
        name=lever.name,
        label=lever.label,
        kind="range",
        value=value_text,
        hint=lever.hint,
        display=fmt_lever(lever, value),
        minimum=lever.minimum,
        maximum=lever.maximum,
        step=lever.step,
        unit=lever.unit,
        decimals=lever_decimals(lever),
        signed=lever.minimum < 0,
        toggle=toggle,
    )


# --- Charts and tables ------------------------------------------------------------------------------


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
    return org_url(view.code, view.scenario_params, by=raw.get("by") or None, sort=raw.get("sort"), dir=raw.get("dir"))


def summary_part(view: OrgView, raw: Mapping[str, str]) -> dict[str, Any]:
    """Heading, scenario in words, share link and the summary cards."""
    return {
        "share_url": share_url(view, raw),
        "changed_levers": describe_scenario(view),
        "downloads": _links(view, view.scenario_params, "summary"),
    }


def demand_part(view: OrgView) -> dict[str, Any]:
    """Population pyramid and demand by need category, with their tables."""
    params = view.params_for("demand")
    stem = _stem(view, params)
    d = view.demand.summary
    cats = records(view.demand.tables["categories"].sort_values("appointments_per_week", ascending=False))
    top = cats[0] if cats else None
    ages = view.demand.tables["age_bands"]
    lower_age = ages["age_band"].astype(str).str.split("_").str[0].str.rstrip("+").astype(int)
    over_65 = ages.loc[lower_age >= 65, "patients"].sum()
    share_65 = over_65 / d["registered_patients"] if d["registered_patients"] else 0.0
    name = display_name(view.org["name"])
    bands = ages.assign(band=lambda f: f["age_band"].astype(str).str.replace("_", " to ").str.replace("+", " and over"))
    return {
        "charts": {
            "pyramid": Chart(
                "chart-pyramid",
                figures.population_pyramid(view.demand, f"{stem}-population"),
                f"Registered patients of {name} by five-year age band and sex, {view.year}: "
                f"{fmt_number(d['registered_patients'])} patients, {fmt_pct(share_65)} aged 65 or over.",
            ),
            "categories": Chart(
                "chart-categories",
                figures.demand_by_category(view.demand, f"{stem}-demand-by-category"),
                f"Appointments a week by need category, split between GPs and other staff: "
                f"{fmt_number(d['appointments_per_week'])} a week in all"
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
    roles = view.gap.tables["roles"]
    worst = max(records(roles), key=lambda r: r["gap_per_week"], default=None)
    active = (roles["fte"].abs() > 0.005) | (roles["demand_per_week"] > 0.05) | (roles["capacity_per_week"] > 0.05)
    shown = roles[active]
    return {
        "charts": {
            "demand_capacity": Chart(
                "chart-demand-capacity",
                figures.demand_vs_capacity(view.gap, f"{stem}-demand-and-capacity"),
                f"Weekly demand and capacity by role: {fmt_number(g['demand_per_week'])} appointments needed "
                f"against {fmt_number(g['capacity_per_week'])} slots.",
            ),
            "gap": Chart(
                "chart-gap",
                figures.gap_by_role(view.gap, view.baseline_gap, f"{stem}-gap-by-role"),
                "Weekly gap by role (demand minus capacity; above zero is a shortfall): "
                f"{fmt_signed(g['gap_per_week'])} appointments a week in all"
                + (
                    f"; the largest shortfall is for {worst['label']} ({fmt_signed(worst['gap_per_week'])})."
                    if worst is not None and worst["gap_per_week"] > 0
                    else "."
                )
                + (
                    ""
                    if view.baseline_gap is None
                    else " Grey bars show the baseline "
                    f"({fmt_signed(view.baseline_gap.summary['gap_per_week'])} in all)."
                ),
            ),
        },
        "tables": {"gap_roles": records(shown)},
        "downloads": _links(view, view.scenario_params, "gap_roles"),
    }


def capacity_part(view: OrgView) -> dict[str, Any]:
    """Staff and appointment slots by role."""
    cap = view.capacity.tables["roles"]
    cap = cap[(cap["fte"].abs() > 0.005) | (cap["capacity_per_week"] > 0.05)]
    return {
        "tables": {"capacity_roles": records(cap)},
        "downloads": _links(view, view.params_for("capacity"), "capacity_roles"),
    }


def benchmarks_part(view: OrgView) -> dict[str, Any]:
    """FTE per 1,000 patients and patients per FTE against the comparators (no scenario)."""
    bench = view.benchmark.tables["staff_groups"]
    keys = [c[: -len("_fte_per_1000")] for c in bench.columns if c.endswith("_fte_per_1000")]
    comparators = [str(n) for n in view.benchmark.summary.get("comparators", keys)]
    names = [("This " + LEVEL_LABELS[view.level].lower()) if i == 0 else n for i, n in enumerate(comparators)]
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
                figures.benchmark_chart(view.benchmark, f"gpworkforce-{view.code}-benchmarks"),
                "Staff per 1,000 registered patients by staff group, against " + ", ".join(comparators[1:]) + ".",
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
    frame = view.children.tables["organisations"]
    ordered, key, dir_ = sort_table(frame, sort, direction)
    shown = ordered.head(MAX_TABLE_ROWS)
    params = view.scenario_params
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
    return {
        "children": records(shown[["code", *(c.key for c in CHILD_COLUMNS if c.key != "code")]]),
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
    order = tuple(raw.get(k) or "" for k in PRESENTATION) if presentation else ()
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

        return snap.cached(_part_key(view, name, part, raw), build)

    gap = view.gap.summary
    status = (
        f"Results updated for {view.year}: weekly gap {fmt_signed(gap['gap_per_week'])} appointments "
        f"({fmt_pct(gap['gap_share_of_demand'])} of demand)."
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


def describe_scenario(view: OrgView) -> list[str]:
    """The levers set in this scenario, in words, for the results heading."""
    s = view.scenario
    out = []
    if s.year:
        out.append(f"year {s.year}")
    lever = {lv.name: lv for lv in LEVERS}
    for name in ("shift_share", "dna_rate", "demand_change", "growth_rate"):
        value = getattr(s, name)
        if value is not None and value != lever[name].default:
            out.append(f"{lever[name].label}: {fmt_lever(lever[name], value)}")
    for role, fte in sorted(s.added_fte.items()):
        out.append(f"{fte:+g} FTE {ROLE_BY_CODE[role].label}")
    for role, m in sorted(s.minutes.items()):
        out.append(f"{m:g}-minute slots for {ROLE_BY_CODE[role].label}")
    if s.local_calibration:
        out.append("local calibration")
    return out


# --- Routes -----------------------------------------------------------------------------------------


def _not_found(request: Request, code: str, message: str) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "org/not_found.html", {"code": code, "message": message, "q": code}, status_code=404
    )
    return response


def _no_data(request: Request) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "org/not_found.html", {"code": "", "no_data": True, "q": ""}, status_code=503
    )
    return response


def _prepare(snap: Snapshot, code: str, raw: dict[str, str]) -> tuple[OrgView, ScenarioError | None]:
    """Resolve and parse; an invalid scenario falls back to the baseline with the error."""
    snap.org(code)  # UnknownOrganisation first: a bad code is a 404 whatever the query says
    error = None
    try:
        scenario, params = snap.parse(raw)
    except ScenarioError as exc:
        error, scenario, params = exc, Scenario(), {}
    view = build_view(snap, code, scenario, params, raw.get("by"))
    return view, error


@router.get("/org/{code}", response_class=HTMLResponse)
async def org_page(request: Request, code: str, dashboard: DashboardDep, _user: Viewer) -> HTMLResponse:
    """An organisation's dashboard; the query string is the scenario (a share link).

    Async on purpose: everything after :func:`ready_snapshot` is CPU work (see there).
    """
    raw = query_dict(request)
    try:
        snap = await ready_snapshot(dashboard)
        view, error = _prepare(snap, code, raw)
    except UnknownOrganisation as exc:
        return _not_found(request, code, str(exc))
    except DataMissingError:
        return _no_data(request)
    context = results_context(snap, view, raw, False, request.app.state.templates)
    context.update(
        panel=panel_controls(snap, raw, view.scenario, error),
        error=error,
        error_list=[{"text": error.message, "href": f"#{error.field_id}"}] if error else [],
        level_label=LEVEL_LABELS[view.level],
        crumbs=view.crumbs,
        form_action=f"/org/{view.code}",
        results_url=f"/org/{view.code}/results",
        presentation={k: raw[k] for k in PRESENTATION if raw.get(k)},
    )
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "org/page.html", context, status_code=400 if error else 200
    )
    return response


@router.get("/org/{code}/results", response_class=HTMLResponse)
async def org_results(request: Request, code: str, dashboard: DashboardDep, _user: Viewer) -> HTMLResponse:
    """Only the results (``_results_partial.html``) for the scenario in the query string (async: see org_page)."""
    raw = query_dict(request)
    templates = request.app.state.templates
    try:
        snap = await ready_snapshot(dashboard)
        view, error = _prepare(snap, code, raw)
    except UnknownOrganisation as exc:
        response: HTMLResponse = HTMLResponse(
            f'<p class="nhsuk-error-message">{_escape(str(exc))}</p>', status_code=404
        )
        return response
    except DataMissingError:
        return HTMLResponse('<p class="nhsuk-error-message">No national data are loaded.</p>', status_code=503)
    if error is not None:
        response = templates.TemplateResponse(
            request,
            "org/_results_partial.html",
            {"error": error, "view": None, "htmx": is_htmx(request), "org": view.org},
            status_code=400,
        )
        response.headers["HX-Push-Url"] = "false"
        return response
    context = results_context(snap, view, raw, is_htmx(request), templates)
    response = templates.TemplateResponse(request, "org/_results_partial.html", context)
    response.headers["HX-Push-Url"] = context["share_url"]
    return response


@router.get("/org/{code}/children", response_class=HTMLResponse)
async def org_children(request: Request, code: str, dashboard: DashboardDep) -> HTMLResponse:
    """Only the sortable children table, for HTMX sorting and "show by" links (async: see org_page)."""
    raw = query_dict(request)
    try:
        view, error = _prepare(await ready_snapshot(dashboard), code, raw)
    except UnknownOrganisation as exc:
        return HTMLResponse(f'<p class="nhsuk-error-message">{_escape(str(exc))}</p>', status_code=404)
    if error is not None:
        return HTMLResponse(f'<p class="nhsuk-error-message">{_escape(error.message)}</p>', status_code=400)
    context = {"view": view, **children_context(view, raw.get("sort"), raw.get("dir"), oob=is_htmx(request))}
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "org/_children_partial.html", context
    )
    response.headers["HX-Push-Url"] = org_url(
        view.code, view.scenario_params, sort=context.get("sort"), dir=context.get("dir"), by=context.get("by_param")
    )
    return response


def _escape(text: str) -> str:
    return str(escape(text))
