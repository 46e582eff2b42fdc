"""Saved scenarios: save, list, open, share, delete and compare; pages under ``/scenarios`` (JSON
twins in ``scenarios_api``).

A scenario is an organisation plus the scenario panel's settings (``web.scenario_form``); the
share link is ``/scenarios/{slug}`` (a random UUID). Rules come from ``services.access``:
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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gpworkforce.reports.excel import XLSX_TYPE
from gpworkforce.scenario import Scenario
from gpworkforce.services.access import OrgMapping
from gpworkforce.services.accounts import AccountError, PermissionDenied
from gpworkforce.services.organisations import UnknownOrganisation, resolve
from gpworkforce.services.saved_scenarios import (
    ScenarioNotFound,
    StoredScenario,
    create_scenario,
    delete_scenario,
    get_scenario,
    list_scenarios,
    update_scenario,
)
from gpworkforce.services.scopes import (
    OPEN_LEVELS,
    open_org_codes,
    practice_parents,
    scope_allows_org,
)
from gpworkforce.services.versions import DataVersion, Workspace
from gpworkforce.web.deps import ContextDep, FormFields, RequireUser, SessionDep, SignedInUser, client_ip
from gpworkforce.web.scenario_compare import (
    BASELINE,
    MAX_COMPARE,
    METRICS,
    SLUG,
    CompareItem,
    as_page_figure,
    comparison_credit,
    comparison_csv,
    comparison_figure,
    comparison_rows,
    describe_params,
    format_figure,
    role_gap_figure,
    scenario_figures,
    truthy,
    unique_names,
)
from gpworkforce.web.scenario_form import ScenarioError, scenario_from_params
from gpworkforce.web.scenario_workbook import comparison_workbook
from gpworkforce.web.templating import flash

router = APIRouter()

NOT_READABLE: Final = (
    "This scenario does not exist, or it is private, or its organisation is outside your area. "
    "Ask the person who sent the link to share it."
)


# --- Small helpers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    """What scope decisions need from the national data."""

    version: DataVersion
    mapping: OrgMapping
    open_orgs: frozenset[str]


def area_of(ctx: Workspace) -> Area:
    version = ctx.version()
    return Area(version, practice_parents(version), open_org_codes(version))


def may_use_org(user: SignedInUser, org_code: str, area: Area) -> bool:
    """Save or compare for this organisation: open ones for everyone, others within scope."""
    return org_code.upper() in area.open_orgs or scope_allows_org(user.scope, org_code, area.version)


def org_info(version: DataVersion, code: str) -> dict[str, str]:
    """Level, canonical code, name and label of a stored organisation code (kept if now unknown)."""
    try:
        org = resolve(version, code)
    except UnknownOrganisation:
        return {"level": "unknown", "code": code, "name": code, "label": code}
    return {"level": org.level, "code": org.code, "name": org.name, "label": org.label}


def dashboard_url(org_code: str, params: Mapping[str, str], slug: str | None = None) -> str:
    """The organisation page with this scenario as its query string (the shared link contract)."""
    query = dict(params)
    if slug:
        query["scenario"] = slug
    return f"/org/{org_code}" + (f"?{urlencode(query)}" if query else "")


def scenario_json(s: StoredScenario, version: DataVersion) -> dict[str, Any]:
    """The API form of a saved scenario (owner named as its reader may see them)."""
    params = dict(sorted(s.scenario.changed_fields().items()))  # links as they always were
    org = org_info(version, s.org_code)
    return {
        "slug": s.slug,
        "name": s.name,
        "organisation": org,
        "params": params,
        "settings": [{"label": k, "value": v} for k, v in describe_params(params)],
        "shared": s.shared,
        "owner": s.owner,
        "is_owner": s.is_owner,
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
        "url": f"/scenarios/{s.slug}",
        "dashboard_url": dashboard_url(org["code"], params, s.slug),
    }


def read_scenario(db: Session, user: SignedInUser, slug: str, area: Area) -> StoredScenario:
    """The scenario behind a link if this user may read it; 404 for non-slugs, else 403."""
    key = slug.strip().lower()
    if not SLUG.fullmatch(key):
        raise HTTPException(status_code=404)
    try:
        return get_scenario(db, user, key, area.mapping, open_orgs=area.open_orgs)
    except ScenarioNotFound:
        raise HTTPException(status_code=403, detail=NOT_READABLE) from None


def owned_scenario(db: Session, user: SignedInUser, slug: str, area: Area) -> StoredScenario:
    """:func:`read_scenario`, and 403 unless the user owns it."""
    scenario = read_scenario(db, user, slug, area)
    if not scenario.is_owner:
        raise HTTPException(status_code=403, detail="Only the person who saved this scenario can change it")
    return scenario


def save_scenario(
    db: Session, request: Request, user: SignedInUser, area: Area, *, name: str, org_code: str, scenario: Scenario,
    shared: bool,
) -> StoredScenario:  # fmt: skip
    """Create (403 outside the user's area; :class:`AccountError` for a bad name)."""
    try:
        return create_scenario(
            db, user, name=name, org_code=org_code, scenario=scenario, mapping=area.mapping,
            open_orgs=area.open_orgs, shared=shared, ip=client_ip(request),
        )  # fmt: skip
    except PermissionDenied as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None


def _templates(request: Request) -> Any:
    return request.app.state.templates


def compare_items(
    db: Session, user: SignedInUser, area: Area, keys: Sequence[str], org: str | None
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
        if not (k.lower().startswith(BASELINE) or SLUG.fullmatch(k.lower())):
            raise HTTPException(status_code=400, detail=f"{k[:60]!r} is not a saved scenario or the baseline")
    saved = {k: read_scenario(db, user, k, area) for k in keys if not k.lower().startswith(BASELINE)}
    default_org = org or next((s.org_code for s in saved.values()), None)
    items: list[CompareItem] = []
    for key in keys:
        if key.lower().startswith(BASELINE):
            code = key.split(":", 1)[1] if ":" in key else default_org
            if not code:
                raise HTTPException(status_code=400, detail="Choose an organisation for the baseline")
            info = org_info(area.version, code)
            if info["level"] == "unknown":
                raise HTTPException(status_code=400, detail=f"Unknown organisation {code}")
            if not may_use_org(user, info["code"], area):
                raise HTTPException(status_code=403, detail=f"{info['code']} is outside your organisation")
            items.append(CompareItem(f"{BASELINE}:{info['code']}", "Baseline (no changes)", info, {}, Scenario()))
        else:
            s = saved[key]
            params = dict(sorted(s.scenario.changed_fields().items()))
            info = org_info(area.version, s.org_code)
            if info["level"] == "unknown":
                raise HTTPException(status_code=400, detail=f"Organisation {s.org_code} is not in the current data")
            items.append(CompareItem(s.slug, s.name, info, params, s.scenario, f"/scenarios/{s.slug}"))
    for item in items:
        item.figures = scenario_figures(area.version, item.org["code"], item.scenario)
    return items


# --- Pages ----------------------------------------------------------------------------------


#: The compare page needs this many things to set side by side (the baseline counts as one).
MIN_COMPARE: Final = 2
COMPARE_TOO_FEW: Final = f"Select at least {MIN_COMPARE} scenarios to compare"


def _list_response(
    request: Request, db: Session, user: SignedInUser, area: Area, *, error: str | None = None,
    selected: Sequence[str] = (),
) -> HTMLResponse:  # fmt: skip
    scenarios = list_scenarios(db, user, area.mapping, open_orgs=area.open_orgs)
    rows = [scenario_json(s, area.version) for s in scenarios]
    first = f"#compare-{rows[0]['slug']}" if rows else "#maincontent"
    context = {
        "scenarios": rows,
        "compare_error": error,
        "selected": set(selected),
        "error_list": [{"text": error, "href": first}] if error else [],
    }
    response: HTMLResponse = _templates(request).TemplateResponse(
        request, "scenarios/list.html", context, status_code=400 if error else 200
    )
    return response


@router.get("/scenarios", response_class=HTMLResponse, include_in_schema=False)
def list_page(request: Request, user: RequireUser, db: SessionDep, ctx: ContextDep) -> HTMLResponse:
    """My scenarios and those shared with me, with checkboxes to compare some of them."""
    return _list_response(request, db, user, area_of(ctx))


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
        "may_save": True,  # the route checked the organisation before rendering
        "error_list": [{"text": text, "href": hrefs.get(key, "#scenario-name")} for key, text in errors.items()],
    }


@router.get("/scenarios/new", response_class=HTMLResponse, include_in_schema=False)
def new_page(request: Request, user: RequireUser, ctx: ContextDep, org: str = "") -> HTMLResponse:
    """Save the scenario in the query string (e.g. from a shared dashboard link) under a name."""
    area = area_of(ctx)
    info = org_info(area.version, org) if org else {"level": "unknown", "code": ""}
    if info["level"] == "unknown":
        raise HTTPException(status_code=404, detail="Choose an organisation first")
    if not may_use_org(user, info["code"], area):
        raise HTTPException(status_code=403, detail=f"{info['code']} is outside your organisation")
    query = {k: v for k, v in request.query_params.items() if k not in ("org", "scenario")}
    try:
        params = scenario_from_params(query).changed_fields()
    except ScenarioError as exc:
        raise HTTPException(status_code=400, detail=f"The scenario settings are not valid: {exc}") from None
    response: HTMLResponse = _templates(request).TemplateResponse(
        request, "scenarios/new.html", _new_context(info, params)
    )
    return response


@router.post("/scenarios", response_class=HTMLResponse, include_in_schema=False)
def create_page(request: Request, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Save the posted scenario for the user, then show it (303 to ``/scenarios/{slug}``)."""
    area = area_of(ctx)
    name = " ".join(form.get("name", "").split())
    shared = truthy(form.get("shared", ""))
    info = org_info(area.version, form.get("org", "")) if form.get("org") else {"level": "unknown", "code": ""}
    if info["level"] == "unknown":
        raise HTTPException(status_code=400, detail="The form did not say which organisation the scenario is for")
    if not may_use_org(user, info["code"], area):
        raise HTTPException(status_code=403, detail=f"{info['code']} is outside your organisation")
    errors: dict[str, str] = {}
    params: dict[str, str] = {}
    scenario = Scenario()
    try:
        scenario = scenario_from_params(form)
        params = scenario.changed_fields()
    except ScenarioError as exc:
        errors["params"] = f"The scenario settings are not valid ({exc}). Go back to the dashboard and try again."
    if not name:
        errors["name"] = "Enter a name for the scenario"
    elif len(name) > 200:
        errors["name"] = "Scenario name must be 200 characters or fewer"
    if not errors:
        try:
            saved = save_scenario(
                db, request, user, area, name=name, org_code=info["code"], scenario=scenario, shared=shared
            )
        except AccountError as exc:
            errors["name"] = str(exc)
        else:
            flash(request, f"Scenario saved: {saved.name}")
            return RedirectResponse(f"/scenarios/{saved.slug}", status_code=303)
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
    """Side-by-side key figures of up to six scenarios, two charts (PNG by Plotly) and CSV and Excel downloads.

    Fewer than two ticked (the list's "Compare selected" with nothing ticked): the list again,
    with the NHS error summary saying so.
    """
    area = area_of(ctx)
    keys = list(dict.fromkeys(k.strip() for k in s or [] if k.strip()))
    if len(keys) < MIN_COMPARE and format != "csv":
        return _list_response(request, db, user, area, error=COMPARE_TOO_FEW, selected=keys)
    items = compare_items(db, user, area, s or [], org)
    if format == "csv":
        return Response(
            comparison_csv(items),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="scenario-comparison.csv"'},
        )
    notes = list(area.version.data.notes)  # where the FTE come from (third-party figures, estimates, PCN shares)
    page_query = urlencode([("s", i.key) for i in items])
    if format == "xlsx":
        return Response(
            comparison_workbook(items, str(request.url.replace(query=page_query)), notes),
            media_type=XLSX_TYPE,
            headers={"Content-Disposition": 'attachment; filename="scenario-comparison.xlsx"'},
        )
    names = unique_names(items)
    credit = comparison_credit(items, area.version.data.periods)
    context = {
        "items": items,
        "names": names,
        "rows": comparison_rows(items),
        "headline_figure": as_page_figure(comparison_figure(items, credit), "gpworkforce-scenario-comparison"),
        "role_figure": as_page_figure(role_gap_figure(items, credit), "gpworkforce-scenario-comparison-gap-by-role"),
        "csv_url": f"/scenarios/compare?{page_query}&format=csv",
        "xlsx_url": f"/scenarios/compare?{page_query}&format=xlsx",
        "notes": notes,
    }
    response: HTMLResponse = _templates(request).TemplateResponse(request, "scenarios/compare.html", context)
    return response


@router.get("/scenarios/{slug}", response_class=HTMLResponse, include_in_schema=False)
def show_page(request: Request, slug: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> HTMLResponse:
    """A saved scenario: its settings and key figures, a link to open it on the dashboard,
    and (for the owner) share and delete buttons."""
    area = area_of(ctx)
    scenario = read_scenario(db, user, slug, area)
    data = scenario_json(scenario, area.version)
    figures: dict[str, Any] | None = None
    if data["organisation"]["level"] != "unknown":
        figures = scenario_figures(area.version, data["organisation"]["code"], scenario.scenario)
    rows = []
    if figures is not None:
        rows = [[label, format_figure(figures["summary"].get(key), kind)] for key, label, kind in METRICS]
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
    area = area_of(ctx)
    scenario = owned_scenario(db, user, slug, area)
    updated = update_scenario(
        db, user, scenario.slug, area.mapping, shared=not scenario.shared, open_orgs=area.open_orgs,
        ip=client_ip(request),
    )  # fmt: skip
    flash(request, "Scenario shared with colleagues in your area" if updated.shared else "Scenario is now private")
    return RedirectResponse(f"/scenarios/{updated.slug}", status_code=303)


@router.post("/scenarios/{slug}/delete", include_in_schema=False)
def delete_page(request: Request, slug: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Delete the scenario (owner only, audited) and go back to the list."""
    area = area_of(ctx)
    scenario = owned_scenario(db, user, slug, area)
    name = scenario.name
    delete_scenario(db, user, scenario.slug, area.mapping, open_orgs=area.open_orgs, ip=client_ip(request))
    flash(request, f"Scenario deleted: {name}")
    return RedirectResponse("/scenarios", status_code=303)
