"""Saved scenarios as JSON: ``/api/scenarios`` (list, create), ``/api/scenarios/compare`` and
``/api/scenarios/{slug}`` (read, rename or share, delete). The pages' twins
(``web.routes.scenarios``), with the same rules and status codes.

Request bodies are pydantic models that refuse unknown fields (422 naming the field).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from gpworkforce.scenario import Scenario
from gpworkforce.services.accounts import AccountError
from gpworkforce.services.national import WORKFORCE_NOTE
from gpworkforce.services.saved_scenarios import delete_scenario, list_scenarios, update_scenario
from gpworkforce.web.deps import ContextDep, RequireUser, SessionDep, client_ip
from gpworkforce.web.routes.scenarios import (
    area_of,
    compare_items,
    org_info,
    owned_scenario,
    read_scenario,
    save_scenario,
    scenario_json,
)
from gpworkforce.web.scenario_form import ScenarioError, scenario_from_params

router = APIRouter(tags=["Saved scenarios"])


class ScenarioCreate(BaseModel):
    """A scenario to save: ``params`` as in a dashboard query string, nested or dotted
    (``{"added_fte": {"gp": 5}}`` or ``{"added_fte.gp": 5}``)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str = Field(max_length=1000, examples=["Pharmacists take 30% of GP work in 2030"])
    org: str = Field(max_length=100, examples=["QHM", "england"])
    params: dict[str, Any] = Field(default_factory=dict, examples=[{"year": 2030, "shift_share": 0.3}])
    shared: bool = False


class ScenarioPatch(BaseModel):
    """Rename or (un)share; at least one of the two."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: str | None = Field(None, max_length=1000)
    shared: bool | None = None


def _unprocessable(errors: Mapping[str, str]) -> JSONResponse:
    detail = [{"loc": ["body", key], "msg": msg, "type": "value_error"} for key, msg in errors.items()]
    return JSONResponse({"detail": detail}, status_code=422)


def _flatten_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Accept ``{"added_fte": {"pharmacist": 1}}`` as well as ``{"added_fte.pharmacist": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in params.items():
        if key in ("added_fte", "minutes") and isinstance(value, Mapping):
            flat.update({f"{key}.{role}": v for role, v in value.items()})
        else:
            flat[key] = "" if value is None else value
    return flat


@router.get("/api/scenarios", summary="List saved scenarios", operation_id="listScenarios")
def api_list(user: RequireUser, db: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """Scenarios the user may read, newest change first."""
    area = area_of(ctx)
    return {
        "scenarios": [
            scenario_json(s, area.version) for s in list_scenarios(db, user, area.mapping, open_orgs=area.open_orgs)
        ]
    }


@router.post(
    "/api/scenarios", status_code=201, response_model=None, summary="Save a scenario", operation_id="createScenario"
)
def api_create(
    request: Request, payload: Annotated[ScenarioCreate, Body()], user: RequireUser, db: SessionDep, ctx: ContextDep
) -> dict[str, Any] | JSONResponse:
    """Save a scenario for an organisation in the user's area (or England or a region)."""
    area = area_of(ctx)
    errors: dict[str, str] = {}
    if not payload.name.strip():
        errors["name"] = "Enter a name for the scenario"
    info = org_info(area.version, payload.org) if payload.org.strip() else None
    if info is None or info["level"] == "unknown":
        errors["org"] = "Give a known organisation code, like A81001, U89141, QHM or england"
    scenario = Scenario()
    try:
        scenario = scenario_from_params(_flatten_params(payload.params))
    except ScenarioError as exc:
        errors["params"] = str(exc)
    if errors:
        return _unprocessable(errors)
    assert info is not None
    try:
        saved = save_scenario(
            db, request, user, area, name=payload.name, org_code=info["code"], scenario=scenario, shared=payload.shared
        )
    except AccountError as exc:
        return _unprocessable({"name": str(exc)})
    return scenario_json(saved, area.version)


@router.get("/api/scenarios/compare", summary="Compare saved scenarios", operation_id="compareScenarios")
def api_compare(
    user: RequireUser,
    db: SessionDep,
    ctx: ContextDep,
    s: Annotated[list[str] | None, Query()] = None,
    org: str | None = None,
) -> dict[str, Any]:
    """The comparison's figures: each scenario's gap-report summary, patients and gaps by role."""
    area = area_of(ctx)
    items = compare_items(db, user, area, s or [], org)
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


@router.get("/api/scenarios/{slug}", summary="A saved scenario", operation_id="getScenario")
def api_get(slug: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """One scenario (403 if this user may not read it, existing or not)."""
    area = area_of(ctx)
    return scenario_json(read_scenario(db, user, slug, area), area.version)


@router.patch(
    "/api/scenarios/{slug}", response_model=None, summary="Rename or share a scenario", operation_id="updateScenario"
)
def api_patch(
    request: Request, slug: str, payload: Annotated[ScenarioPatch, Body()], user: RequireUser, db: SessionDep,
    ctx: ContextDep,
) -> dict[str, Any] | JSONResponse:  # fmt: skip
    """Rename or (un)share: ``{"name": ..., "shared": true}``; owner only."""
    area = area_of(ctx)
    scenario = owned_scenario(db, user, slug, area)
    if payload.name is None and payload.shared is None:
        return _unprocessable({"body": "Send an object with name and/or shared"})
    try:
        updated = update_scenario(
            db, user, scenario.slug, area.mapping, name=payload.name, shared=payload.shared,
            open_orgs=area.open_orgs, ip=client_ip(request),
        )  # fmt: skip
    except AccountError as exc:
        return _unprocessable({"name": str(exc)})
    return scenario_json(updated, area.version)


@router.delete(
    "/api/scenarios/{slug}", status_code=204, summary="Delete a saved scenario", operation_id="deleteScenario"
)
def api_delete(request: Request, slug: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Delete (owner only, audited)."""
    area = area_of(ctx)
    scenario = owned_scenario(db, user, slug, area)
    delete_scenario(db, user, scenario.slug, area.mapping, open_orgs=area.open_orgs, ip=client_ip(request))
    return Response(status_code=204)
