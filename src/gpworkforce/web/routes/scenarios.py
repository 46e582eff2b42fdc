"""Saved scenarios: save, list, open, share, delete and compare; pages under ``/scenarios`` and
JSON twins under ``/api/scenarios``.

A scenario is an organisation plus the scenario panel's settings (``web.scenario_form``); the
share link is ``/scenarios/{slug}`` (a random UUID). Rules come from ``services.accounts``:
owners and admins read; others read a *shared* scenario whose organisation lies inside their
scope, or, for England and regions (open to everyone), when they work in the owner's area.
Only the owner changes or deletes.

403, not 404: a well-formed slug that this user may not read answers **403** whether or not
the scenario exists (private, outside scope, deleted or never created alike), so the status
reveals nothing, which is what ``ScenarioNotFound`` is for, while telling a colleague who
followed a link that it is a permission matter. Only a path that cannot be a slug is 404.
Readable but not the owner's, for delete/share/patch: 403 as well.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Final
from urllib.parse import urlencode

import plotly.graph_objects as go
from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpworkforce.scenario import Scenario
from gpworkforce.services.accounts import (
    AccountError,
    OrgMapping,
    PermissionDenied,
    ScenarioNotFound,
    Scope,
    as_utc,
    can_write_scenario,
    create_scenario_allowing_open,
    delete_scenario,
    get_scenario_allowing_open,
    list_scenarios_allowing_open,
    update_scenario,
    user_label,
)
from gpworkforce.services.capacity import gap_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.national import WORKFORCE_NOTE
from gpworkforce.services.organisations import UnknownOrganisation, resolve
from gpworkforce.services.scopes import (
    OPEN_LEVELS,
    open_org_codes,
    practice_parents,
    scope_allows_org,
)
from gpworkforce.services.versions import DataVersion, Workspace
from gpworkforce.store.accounts import SavedScenario, User
from gpworkforce.web.deps import RequireUser, SessionDep, client_ip
from gpworkforce.web.figures import FONT, NHS_DARK_BLUE, NHS_GREY, NHS_LIGHT_BLUE, NHS_WARM_YELLOW
from gpworkforce.web.routes.corrections import ContextDep
from gpworkforce.web.scenario_form import LEVERS, role_label, scenario_from_params, scenario_to_params
from gpworkforce.web.templating import flash

router = APIRouter()

BASELINE: Final = "baseline"
MAX_COMPARE: Final = 6
_SLUG: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
NOT_READABLE: Final = (
    "This scenario does not exist, or it is private, or its organisation is outside your area. "
    "Ask the person who sent the link to share it."
)
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


# --- Small helpers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """What scope decisions need from the national data."""

    version: DataVersion
    mapping: OrgMapping
    open_orgs: frozenset[str]


def _area(ctx: Workspace) -> Area:
    version = ctx.version()
    return Area(version, practice_parents(version), open_org_codes(version))


def _may_use_org(user: User, org_code: str, area: Area) -> bool:
    """Save or compare for this organisation: open ones for everyone, others within scope."""
    return org_code.upper() in area.open_orgs or scope_allows_org(Scope.for_user(user), org_code, area.version)


def _org_info(version: DataVersion, code: str) -> dict[str, str]:
    """Level, canonical code, name and label of a stored organisation code (kept if now unknown)."""
    try:
        org = resolve(version, code)
    except UnknownOrganisation:
        return {"level": "unknown", "code": code, "name": code, "label": code}
    return {"level": org.level, "code": org.code, "name": org.name, "label": org.label}


def _truthy(value: object) -> bool:
    return str(value).strip().lower() in TRUE_VALUES


def _flatten_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Accept ``{"added_fte": {"pharmacist": 1}}`` as well as ``{"added_fte.pharmacist": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in params.items():
        if key in ("added_fte", "minutes") and isinstance(value, Mapping):
            flat.update({f"{key}.{role}": v for role, v in value.items()})
        else:
            flat[key] = "" if value is None else value
    return flat


def stored_scenario(s: SavedScenario) -> Scenario:
    """The Scenario a saved row holds (its params were validated when saved)."""
    return scenario_from_params(json.loads(s.params))


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
            rows.append(("Calibrate to each practice's own appointments", "Yes" if _truthy(raw) else "No"))
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


def dashboard_url(org_code: str, params: Mapping[str, str], slug: str | None = None) -> str:
    """The organisation page with this scenario as its query string (the shared link contract)."""
    query = dict(params)
    if slug:
        query["scenario"] = slug
    return f"/org/{org_code}" + (f"?{urlencode(query)}" if query else "")


def _owners(db: Session, scenarios: Sequence[SavedScenario]) -> dict[int, User]:
    ids = {s.owner_id for s in scenarios}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def scenario_json(s: SavedScenario, viewer: User, owner: User | None, version: DataVersion) -> dict[str, Any]:
    """The API form of a saved scenario (owner named as :func:`user_label` allows)."""
    params: dict[str, str] = json.loads(s.params)
    org = _org_info(version, s.org_code)
    return {
        "slug": s.slug,
        "name": s.name,
        "organisation": org,
        "params": params,
        "settings": [{"label": k, "value": v} for k, v in describe_params(params)],
        "shared": s.shared,
        "owner": user_label(viewer, owner),
        "is_owner": can_write_scenario(viewer, s),
        "created_at": as_utc(s.created_at).isoformat(),
        "updated_at": as_utc(s.updated_at).isoformat(),
        "url": f"/scenarios/{s.slug}",
        "dashboard_url": dashboard_url(org["code"], params, s.slug),
    }


def _read(db: Session, user: User, slug: str, area: Area) -> SavedScenario:
    """The scenario behind a link if this user may read it; 404 for non-slugs, else 403."""
    key = slug.strip().lower()
    if not _SLUG.fullmatch(key):
        raise HTTPException(status_code=404)
    try:
        return get_scenario_allowing_open(db, user, key, area.mapping, open_orgs=area.open_orgs)
    except ScenarioNotFound:
        raise HTTPException(status_code=403, detail=NOT_READABLE) from None


def _owned(db: Session, user: User, slug: str, area: Area) -> SavedScenario:
    scenario = _read(db, user, slug, area)
    if not can_write_scenario(user, scenario):
        raise HTTPException(status_code=403, detail="Only the person who saved this scenario can change it")
    return scenario


def _templates(request: Request) -> Any:
    return request.app.state.templates


# --- Comparison (pure parts first) ----------------------------------------------------------


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


def _format(value: Any, kind: str) -> str:
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
        rows.append([label, *[_format(i.figures["summary"].get(key), kind) for i in items]])
    for role, label in compared_roles(items):
        rows.append([f"Gap: {label}", *[_format(i.figures["roles"][role]["gap_per_week"], "signed") for i in items]])
    return rows


def _unique_names(items: Sequence[CompareItem]) -> list[str]:
    names: list[str] = []
    for item in items:
        name = item.name
        n = 2
        while name in names:
            name = f"{item.name} ({n})"
            n += 1
        names.append(name)
    return names


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    """The look of the dashboard's charts (web.figures), for the comparison charts."""
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 13, "color": "#212b32"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=height,
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_xaxes(gridcolor="#e8edee", automargin=True)
    fig.update_yaxes(gridcolor="#e8edee", automargin=True)
    return fig


def comparison_figure(items: Sequence[CompareItem]) -> go.Figure:
    """Grouped bars: the headline weekly figures, one colour per scenario (pure: no I/O)."""
    fig = go.Figure()
    labels = [label for _, label in CHART_METRICS]
    for i, (item, name) in enumerate(zip(items, _unique_names(items), strict=True)):
        fig.add_bar(
            x=labels,
            y=[float(item.figures["summary"].get(key) or 0.0) for key, _ in CHART_METRICS],
            name=name,
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate="%{x}: %{y:,.0f} a week<extra>" + name.replace("<", "&lt;") + "</extra>",
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickformat=",.0f", title="Appointments a week", zeroline=True, zerolinecolor="#425563")
    return _layout(fig, "Key weekly figures by scenario", 420)


def role_gap_figure(items: Sequence[CompareItem]) -> go.Figure:
    """Grouped horizontal bars: the weekly gap by role for each scenario (pure: no I/O).

    Horizontal so that long role names stay readable; the first role is at the top.
    """
    roles = compared_roles(items)[::-1]
    fig = go.Figure()
    for i, (item, name) in enumerate(zip(items, _unique_names(items), strict=True)):
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
    return _layout(fig, "Weekly gap by role", max(360, height))


def _csv_text(value: object) -> object:
    """Neutralise spreadsheet formulas in user-entered text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def comparison_csv(items: Sequence[CompareItem]) -> str:
    """The comparison as CSV: one row per figure, one column per scenario, raw numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", *[_csv_text(n) for n in _unique_names(items)]])
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


def _compare_items(
    db: Session, user: User, ctx: Workspace, area: Area, keys: Sequence[str], org: str | None
) -> list[CompareItem]:
    """Resolve ``s`` values (slugs, ``baseline`` or ``baseline:ORG``) to items with figures.

    400 for a bad request (too many, unknown organisation), 403 for a scenario or organisation
    the user may not use.
    """
    keys = list(dict.fromkeys(k.strip() for k in keys if k.strip()))  # drop repeats, keep order
    if not keys:
        raise HTTPException(status_code=400, detail="Select at least one scenario to compare")
    if len(keys) > MAX_COMPARE:
        raise HTTPException(status_code=400, detail=f"Compare at most {MAX_COMPARE} scenarios at a time")
    for k in keys:
        if not (k.lower().startswith(BASELINE) or _SLUG.fullmatch(k.lower())):
            raise HTTPException(status_code=400, detail=f"{k[:60]!r} is not a saved scenario or the baseline")
    saved = {k: _read(db, user, k, area) for k in keys if not k.lower().startswith(BASELINE)}
    default_org = org or next((s.org_code for s in saved.values()), None)
    items: list[CompareItem] = []
    for key in keys:
        if key.lower().startswith(BASELINE):
            code = key.split(":", 1)[1] if ":" in key else default_org
            if not code:
                raise HTTPException(status_code=400, detail="Choose an organisation for the baseline")
            info = _org_info(area.version, code)
            if info["level"] == "unknown":
                raise HTTPException(status_code=400, detail=f"Unknown organisation {code}")
            if not _may_use_org(user, info["code"], area):
                raise HTTPException(status_code=403, detail=f"{info['code']} is outside your organisation")
            items.append(CompareItem(f"{BASELINE}:{info['code']}", "Baseline (no changes)", info, {}, Scenario()))
        else:
            s = saved[key]
            params = json.loads(s.params)
            info = _org_info(area.version, s.org_code)
            if info["level"] == "unknown":
                raise HTTPException(status_code=400, detail=f"Organisation {s.org_code} is not in the current data")
            items.append(CompareItem(s.slug, s.name, info, params, stored_scenario(s), f"/scenarios/{s.slug}"))
    for item in items:
        item.figures = scenario_figures(area.version, item.org["code"], item.scenario)
    return items


# --- Pages ----------------------------------------------------------------------------------


@router.get("/scenarios", response_class=HTMLResponse, include_in_schema=False)
def list_page(request: Request, user: RequireUser, db: SessionDep, ctx: ContextDep) -> HTMLResponse:
    """My scenarios and those shared with me, with checkboxes to compare some of them."""
    area = _area(ctx)
    scenarios = list_scenarios_allowing_open(db, user, area.mapping, open_orgs=area.open_orgs)
    owners = _owners(db, scenarios)
    rows = [scenario_json(s, user, owners.get(s.owner_id), area.version) for s in scenarios]
    response: HTMLResponse = _templates(request).TemplateResponse(request, "scenarios/list.html", {"scenarios": rows})
    return response


def _new_context(
    org: dict[str, str], params: dict[str, str], *, errors: dict[str, str] | None = None, name: str = "",
    shared: bool = False,
) -> dict[str, Any]:  # fmt: skip
    errors = errors or {}
    hrefs = {"name": "#scenario-name", "shared": "#scenario-shared"}
    return {
        "org": org,
        "scenario_params": params,
        "settings": describe_params(params),
        "save_errors": errors,
        "save_name": name,
        "save_shared": shared,
        "error_list": [{"text": text, "href": hrefs.get(key, "#scenario-name")} for key, text in errors.items()],
    }


@router.get("/scenarios/new", response_class=HTMLResponse, include_in_schema=False)
def new_page(request: Request, user: RequireUser, ctx: ContextDep, org: str = "") -> HTMLResponse:
    """Save the scenario in the query string (e.g. from a shared dashboard link) under a name."""
    area = _area(ctx)
    info = _org_info(area.version, org) if org else {"level": "unknown", "code": ""}
    if info["level"] == "unknown":
        raise HTTPException(status_code=404, detail="Choose an organisation first")
    if not _may_use_org(user, info["code"], area):
        raise HTTPException(status_code=403, detail=f"{info['code']} is outside your organisation")
    query = {k: v for k, v in request.query_params.items() if k not in ("org", "scenario")}
    try:
        params = scenario_to_params(scenario_from_params(query))
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=f"The scenario settings are not valid: {exc}") from None
    response: HTMLResponse = _templates(request).TemplateResponse(
        request, "scenarios/new.html", _new_context(info, params)
    )
    return response


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v if isinstance(v, str) else "" for k, v in form.items()}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


@router.post("/scenarios", response_class=HTMLResponse, include_in_schema=False)
def create_page(request: Request, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Save the posted scenario for the user, then show it (303 to ``/scenarios/{slug}``)."""
    area = _area(ctx)
    name = " ".join(form.get("name", "").split())
    shared = _truthy(form.get("shared", ""))
    info = _org_info(area.version, form.get("org", "")) if form.get("org") else {"level": "unknown", "code": ""}
    if info["level"] == "unknown":
        raise HTTPException(status_code=400, detail="The form did not say which organisation the scenario is for")
    if not _may_use_org(user, info["code"], area):
        raise HTTPException(status_code=403, detail=f"{info['code']} is outside your organisation")
    errors: dict[str, str] = {}
    params: dict[str, str] = {}
    try:
        params = scenario_to_params(scenario_from_params(form))
    except ValueError as exc:
        errors["params"] = f"The scenario settings are not valid ({exc}). Go back to the dashboard and try again."
    if not name:
        errors["name"] = "Enter a name for the scenario"
    elif len(name) > 200:
        errors["name"] = "Scenario name must be 200 characters or fewer"
    if not errors:
        try:
            scenario = create_scenario_allowing_open(
                db, user, name=name, org_code=info["code"], params=params, mapping=area.mapping,
                open_orgs=area.open_orgs, shared=shared, ip=client_ip(request),
            )  # fmt: skip
        except PermissionDenied as exc:
            raise HTTPException(status_code=403, detail=str(exc)) from None
        except AccountError as exc:
            errors["name"] = str(exc)
        else:
            flash(request, f"Scenario saved: {scenario.name}")
            return RedirectResponse(f"/scenarios/{scenario.slug}", status_code=303)
    context = _new_context(info, params, errors=errors, name=name, shared=shared)
    response: HTMLResponse = _templates(request).TemplateResponse(
        request, "scenarios/new.html", context, status_code=400
    )
    return response


@router.get("/scenarios/compare", response_model=None, include_in_schema=False)
def compare_page(
    request: Request,
    user: RequireUser,
    db: SessionDep,
    ctx: ContextDep,
    s: Annotated[list[str] | None, Query()] = None,
    org: str | None = None,
    format: str | None = None,
) -> Response:
    """Side-by-side key figures of up to six scenarios, a grouped bar chart and a CSV download."""
    area = _area(ctx)
    items = _compare_items(db, user, ctx, area, s or [], org)
    if format == "csv":
        return Response(
            comparison_csv(items),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="scenario-comparison.csv"'},
        )
    names = _unique_names(items)
    csv_query = urlencode([("s", i.key) for i in items] + [("format", "csv")])
    context = {
        "items": items,
        "names": names,
        "rows": comparison_rows(items),
        "headline_figure": comparison_figure(items),
        "role_figure": role_gap_figure(items),
        "csv_url": f"/scenarios/compare?{csv_query}",
        "notes": list(area.version.data.notes),  # where the FTE come from (third-party figures, estimates, PCN shares)
    }
    response: HTMLResponse = _templates(request).TemplateResponse(request, "scenarios/compare.html", context)
    return response


@router.get("/scenarios/{slug}", response_class=HTMLResponse, include_in_schema=False)
def show_page(request: Request, slug: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> HTMLResponse:
    """A saved scenario: its settings and key figures, a link to open it on the dashboard,
    and (for the owner) share and delete buttons."""
    area = _area(ctx)
    scenario = _read(db, user, slug, area)
    data = scenario_json(scenario, user, db.get(User, scenario.owner_id), area.version)
    figures: dict[str, Any] | None = None
    if data["organisation"]["level"] != "unknown":
        figures = scenario_figures(area.version, data["organisation"]["code"], stored_scenario(scenario))
    rows = []
    if figures is not None:
        rows = [[label, _format(figures["summary"].get(key), kind)] for key, label, kind in METRICS]
    context = {
        "scenario": data,
        "figure_rows": rows,
        "compare_url": f"/scenarios/compare?{urlencode([('s', scenario.slug), ('s', BASELINE)])}",
        "open_level": data["organisation"]["level"] in OPEN_LEVELS,
    }
    response: HTMLResponse = _templates(request).TemplateResponse(request, "scenarios/show.html", context)
    return response


@router.post("/scenarios/{slug}/share", include_in_schema=False)
def share_toggle(request: Request, slug: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Share the scenario with colleagues in the owner's area, or stop sharing it (audited)."""
    area = _area(ctx)
    scenario = _owned(db, user, slug, area)
    updated = update_scenario(db, user, scenario.slug, area.mapping, shared=not scenario.shared, ip=client_ip(request))
    flash(request, "Scenario shared with colleagues in your area" if updated.shared else "Scenario is now private")
    return RedirectResponse(f"/scenarios/{updated.slug}", status_code=303)


@router.post("/scenarios/{slug}/delete", include_in_schema=False)
def delete_page(request: Request, slug: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Delete the scenario (owner only, audited) and go back to the list."""
    area = _area(ctx)
    scenario = _owned(db, user, slug, area)
    name = scenario.name
    delete_scenario(db, user, scenario.slug, area.mapping, ip=client_ip(request))
    flash(request, f"Scenario deleted: {name}")
    return RedirectResponse("/scenarios", status_code=303)


# --- API ------------------------------------------------------------------------------------


def _unprocessable(errors: Mapping[str, str]) -> JSONResponse:
    detail = [{"loc": ["body", key], "msg": msg, "type": "value_error"} for key, msg in errors.items()]
    return JSONResponse({"detail": detail}, status_code=422)


@router.get("/api/scenarios")
def api_list(user: RequireUser, db: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """Scenarios the user may read, newest change first."""
    area = _area(ctx)
    scenarios = list_scenarios_allowing_open(db, user, area.mapping, open_orgs=area.open_orgs)
    owners = _owners(db, scenarios)
    return {"scenarios": [scenario_json(s, user, owners.get(s.owner_id), area.version) for s in scenarios]}


@router.post("/api/scenarios", status_code=201, response_model=None)
def api_create(
    request: Request, payload: Annotated[Any, Body()], user: RequireUser, db: SessionDep, ctx: ContextDep
) -> dict[str, Any] | JSONResponse:
    """Create from ``{"name", "org", "shared", "params": {...}}``; params as in a dashboard query string."""
    area = _area(ctx)
    if not isinstance(payload, Mapping):
        return _unprocessable({"body": "Send a JSON object with name, org, params and shared"})
    errors: dict[str, str] = {}
    name = payload.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Enter a name for the scenario"
    org_code = payload.get("org")
    info = _org_info(area.version, org_code) if isinstance(org_code, str) and org_code.strip() else None
    if info is None or info["level"] == "unknown":
        errors["org"] = "Give a known organisation code, like A81001, U89141, QHM or england"
    raw_params = payload.get("params") or {}
    params: dict[str, str] = {}
    if not isinstance(raw_params, Mapping):
        errors["params"] = "params must be an object"
    else:
        try:
            params = scenario_to_params(scenario_from_params(_flatten_params(raw_params)))
        except ValueError as exc:
            errors["params"] = str(exc)
    shared = payload.get("shared", False)
    if not isinstance(shared, bool):
        errors["shared"] = "shared must be true or false"
    if errors:
        return _unprocessable(errors)
    assert info is not None and isinstance(name, str)
    if not _may_use_org(user, info["code"], area):
        raise HTTPException(status_code=403, detail=f"{info['code']} is outside your organisation")
    try:
        scenario = create_scenario_allowing_open(
            db, user, name=name, org_code=info["code"], params=params, mapping=area.mapping,
            open_orgs=area.open_orgs, shared=shared, ip=client_ip(request),
        )  # fmt: skip
    except PermissionDenied as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except AccountError as exc:
        return _unprocessable({"name": str(exc)})
    return scenario_json(scenario, user, user, area.version)


@router.get("/api/scenarios/compare")
def api_compare(
    user: RequireUser,
    db: SessionDep,
    ctx: ContextDep,
    s: Annotated[list[str] | None, Query()] = None,
    org: str | None = None,
) -> dict[str, Any]:
    """The comparison's figures: each scenario's gap-report summary, patients and gaps by role."""
    area = _area(ctx)
    items = _compare_items(db, user, ctx, area, s or [], org)
    return {
        "scenarios": [
            {
                "key": i.key,
                "name": i.name,
                "organisation": i.org,
                "params": i.params,
                "url": i.url,
                "summary": i.figures["summary"],
                "roles": i.figures["roles"],
            }
            for i in items
        ],
        "notes": [WORKFORCE_NOTE],
    }


@router.get("/api/scenarios/{slug}")
def api_get(slug: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """One scenario (403 if this user may not read it, existing or not)."""
    area = _area(ctx)
    scenario = _read(db, user, slug, area)
    return scenario_json(scenario, user, db.get(User, scenario.owner_id), area.version)


@router.patch("/api/scenarios/{slug}", response_model=None)
def api_patch(
    request: Request, slug: str, payload: Annotated[Any, Body()], user: RequireUser, db: SessionDep,
    ctx: ContextDep,
) -> dict[str, Any] | JSONResponse:  # fmt: skip
    """Rename or (un)share: ``{"name": ..., "shared": true}``; owner only."""
    area = _area(ctx)
    scenario = _owned(db, user, slug, area)
    if not isinstance(payload, Mapping) or not set(payload) <= {"name", "shared"} or not payload:
        return _unprocessable({"body": "Send an object with name and/or shared"})
    name, shared = payload.get("name"), payload.get("shared")
    if name is not None and not isinstance(name, str):
        return _unprocessable({"name": "name must be text"})
    if shared is not None and not isinstance(shared, bool):
        return _unprocessable({"shared": "shared must be true or false"})
    try:
        updated = update_scenario(
            db, user, scenario.slug, area.mapping, name=name, shared=shared, ip=client_ip(request)
        )
    except AccountError as exc:
        return _unprocessable({"name": str(exc)})
    return scenario_json(updated, user, user, area.version)


@router.delete("/api/scenarios/{slug}", status_code=204)
def api_delete(request: Request, slug: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Delete (owner only, audited)."""
    area = _area(ctx)
    scenario = _owned(db, user, slug, area)
    delete_scenario(db, user, scenario.slug, area.mapping, ip=client_ip(request))
    return Response(status_code=204)


__all__ = [
    "BASELINE",
    "CompareItem",
    "comparison_csv",
    "comparison_figure",
    "comparison_rows",
    "describe_params",
    "role_gap_figure",
    "router",
    "scenario_figures",
]
