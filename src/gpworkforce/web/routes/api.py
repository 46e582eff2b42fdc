"""JSON API: every organisation page has a JSON twin, built from the same services and cache.

Open data, so no sign-in. Reports are the services' typed reports (``services.results``, also
the response models, so /docs shows their schemas) with NaN as null. The scenario is
the same query string as on the pages (``scenario_form``): ``year``, ``shift_share``,
``dna_rate``, ``demand_change``, ``growth_rate``, ``local_calibration``, ``subicb_calibration``, ``capacity_standard``
(reference|throughput|safe), ``added_fte.<role>``, ``minutes.<role>``. Errors are JSON
``{"detail": ...}``: 404 for an unknown organisation, 422 for a scenario field (the message
starts with the field's name).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.reports.source import as_dict, jsonable
from gpworkforce.scenario import Scenario
from gpworkforce.services.months import parse_month
from gpworkforce.services.organisations import (
    CHILD_LEVELS,
    SupersededOrganisation,
    UnknownOrganisation,
    normalise_level,
)
from gpworkforce.services.results import (
    BenchmarkReport,
    CapacityReport,
    ChildrenReport,
    DemandReport,
    GapReport,
    OrgInfo,
)
from gpworkforce.web.context import AnyReport, Snapshot
from gpworkforce.web.deps import ApiScenario, ApiSnapshot
from gpworkforce.web.lookups import levels_below
from gpworkforce.web.scenario_form import LEVERS, PANEL_ROLES

router = APIRouter(prefix="/api", tags=["Organisations"])


# --- Models (for the OpenAPI schema) ------------------------------------------------------------


class OrgRef(BaseModel):
    """An organisation in a list: its level, ODS code (or 'england'), name and page address."""

    level: str = Field(examples=["icb"])
    code: str = Field(examples=["QHM"])
    name: str = Field(examples=["NHS North East and North Cumbria ICB"])
    url: str = Field(description="The organisation's web page", examples=["/org/QHM"])


class OrgOut(BaseModel):
    """An organisation, its parents (England first) and the links to its reports."""

    organisation: OrgInfo
    parents: list[OrgRef]
    children_level: str | None = Field(description="Level of the organisations one level down, if any")
    links: dict[str, str]


class SearchHitOut(OrgRef):
    detail: str = Field(description="Postcode and PCN for practices, else the level")
    match: str = Field(description="Why it matched: code, ONS code, postcode, name, place, similar name or old code")
    parent: OrgRef | None


SEARCH_PAGE = 20


class SearchOut(BaseModel):
    query: str
    total: int = Field(description="Matches in all pages")
    page: int
    pages: int
    results: list[SearchHitOut] = Field(description="This page's matches (at most 20), best first")


# --- Scenario parameters in the schema ----------------------------------------------------------------


def _bounds(schema: dict[str, Any]) -> dict[str, Any]:
    """``minimum``/``maximum`` of a property in the Scenario's JSON Schema (null allowed or not)."""
    for option in [schema, *schema.get("anyOf", [])]:
        if "minimum" in option or "maximum" in option:
            return {k: option[k] for k in ("minimum", "maximum") if k in option}
    return {}


def _scenario_parameters() -> list[dict[str, Any]]:
    """The scenario as query parameters, types and bounds taken from ``Scenario``'s JSON Schema."""
    properties = Scenario.model_json_schema()["properties"]
    params: list[dict[str, Any]] = []
    for lever in LEVERS:
        schema: dict[str, Any] = {"type": "integer" if lever.name == "year" else "number"}
        schema.update(_bounds(properties[lever.name]))
        unit = " (a fraction: 0.3 = 30%)" if lever.unit == "%" else ""
        params.append(
            {
                "name": lever.name,
                "in": "query",
                "required": False,
                "schema": schema,
                "description": f"{lever.label}{unit}. {lever.hint}",
            }
        )
    params.append(
        {
            "name": "local_calibration",
            "in": "query",
            "required": False,
            "schema": {"type": "boolean", "default": True},
            "description": properties["local_calibration"]["description"] + " where known",
        }
    )
    params.append(
        {
            "name": "subicb_calibration",
            "in": "query",
            "required": False,
            "schema": {"type": "boolean", "default": True},
            "description": properties["subicb_calibration"]["description"],
        }
    )
    standard = properties["capacity_standard"]
    params.append(
        {
            "name": "capacity_standard",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": list(standard["enum"]), "default": standard["default"]},
            "description": standard["description"],
        }
    )
    added = {"type": "number", **_bounds(properties["added_fte"]["additionalProperties"])}
    minutes = {"type": "number", **_bounds(properties["minutes"]["additionalProperties"])}
    for role in PANEL_ROLES:
        label = ROLE_BY_CODE[role].label
        params.append(
            {
                "name": f"added_fte.{role}",
                "in": "query",
                "required": False,
                "schema": added,
                "description": f"FTE added (negative: removed): {label}. Any role code works as added_fte.<role>.",
            }
        )
    for role in PANEL_ROLES:
        params.append(
            {
                "name": f"minutes.{role}",
                "in": "query",
                "required": False,
                "schema": minutes,
                "description": (
                    f"Slot length in minutes: {ROLE_BY_CODE[role].label}. Any clinical role as minutes.<role>."
                ),
            }
        )
    return params


SCENARIO_DOC: Final = {"parameters": _scenario_parameters()}
ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    404: {"description": "Unknown organisation code", "content": {"application/json": {"example": {"detail": "..."}}}},
    410: {
        "description": "A code no longer in use (merged ICB or sub-ICB, closed practice): what it became",
        "content": {
            "application/json": {
                "example": {
                    "detail": "ICB QH8 (...) is no longer in use (last seen 2025-10): ...",
                    "superseded_by": [{"code": "D7T5G", "name": "...", "level": "icb", "url": "/api/org/D7T5G"}],
                }
            }
        },
    },
    422: {
        "description": "A scenario field is invalid; the message names it",
        "content": {"application/json": {"example": {"detail": "shift_share: ..."}}},
    },
}


def _report(
    snap: Snapshot,
    kind: str,
    code: str,
    scenario: Scenario | None = None,
    by: str | None = None,
    month: str | None = None,
) -> AnyReport:
    try:
        if month is None:
            return snap.report(kind, code, scenario, by)
        return snap.report(kind, code, scenario, by, parse_month(month))
    except SupersededOrganisation:
        raise  # 410 with what the code became (web/superseded.py)
    except UnknownOrganisation as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    except ValueError as exc:
        if month is None:
            raise
        raise HTTPException(status_code=422, detail=f"month: {exc}") from None


MonthQuery = Annotated[
    str | None,
    Query(
        description="YYYY-MM: also the appointments expected in that calendar month (working days and season); "
        "a month after the base year projects to its year unless ``year`` is given"
    ),
]


def report_json(report: AnyReport) -> dict[str, Any]:
    """``report.to_dict()`` as strict JSON (NaN and infinities as null)."""
    return as_dict(report)


def report_response(report: AnyReport) -> JSONResponse:
    """The report as the response itself: FastAPI would otherwise validate it again against the
    response model (the models document the shape; the report is already one)."""
    return JSONResponse(report_json(report))


# --- Routes -------------------------------------------------------------------------------------------


@router.get("/search", response_model=SearchOut, summary="Search organisations", operation_id="searchOrganisations")
def api_search(
    snap: ApiSnapshot,
    q: Annotated[
        str, Query(max_length=100, description="Name (misspellings forgiven), ODS or ONS code, postcode, town...")
    ] = "",
    page: Annotated[int, Query(ge=1, description="Page of 20 results; past the last gives none")] = 1,
) -> dict[str, Any]:
    """Practices, PCNs, sub-ICBs, ICBs and regions matching ``q``, 20 to a page, like /search."""
    every = snap.search(q)
    start = (page - 1) * SEARCH_PAGE
    return {
        "query": q.strip(),
        "total": len(every),
        "page": page,
        "pages": max(1, -(-len(every) // SEARCH_PAGE)),
        "results": [hit.to_dict() for hit in every[start : start + SEARCH_PAGE]],
    }


@router.get(
    "/org/{code}",
    response_model=OrgOut,
    summary="An organisation and its parents",
    operation_id="getOrganisation",
    responses=ERRORS,
)
def api_org(code: str, snap: ApiSnapshot) -> dict[str, Any]:
    """The organisation (any level, or ``england``), its parents and links to its reports."""
    org = _report(snap, "benchmark", code).organisation
    base = f"/api/org/{org.code}"
    child = CHILD_LEVELS.get(org.level)
    links = {kind: f"{base}/{kind}" for kind in ("demand", "capacity", "gap", "benchmark")}
    if child:
        links["children"] = f"{base}/children"
    links["page"] = f"/org/{org.code}"
    return {
        "organisation": jsonable(org.as_dict()),
        "parents": [c.to_dict() for c in snap.lookups.ancestors(org)],
        "children_level": child,
        "links": links,
    }


def _kind_route(kind: str, model: type[BaseModel], summary: str, doc: str) -> None:
    def endpoint(code: str, snap: ApiSnapshot, scenario: ApiScenario) -> JSONResponse:
        return report_response(_report(snap, kind, code, scenario))

    def endpoint_with_month(
        code: str, snap: ApiSnapshot, scenario: ApiScenario, month: MonthQuery = None
    ) -> JSONResponse:
        return report_response(_report(snap, kind, code, scenario, month=month))

    if kind == "demand":
        endpoint = endpoint_with_month

    endpoint.__doc__ = doc
    endpoint.__name__ = f"api_{kind}"
    router.add_api_route(
        f"/org/{{code}}/{kind}",
        endpoint,
        methods=["GET"],
        response_model=model,
        summary=summary,
        operation_id=f"getOrganisation{kind.capitalize()}",
        responses=ERRORS,
        openapi_extra=SCENARIO_DOC,
    )


_kind_route(
    "demand",
    DemandReport,
    "Weekly demand",
    "Registered patients, appointments by need category and age band, shiftable GP work.",
)
_kind_route(
    "capacity",
    CapacityReport,
    "Weekly capacity",
    "FTE and appointment slots a week by role, and net of missed appointments.",
)
_kind_route("gap", GapReport, "Weekly appointment gap", "Weekly demand against capacity by role: the appointment gap.")
_kind_route(
    "benchmark",
    BenchmarkReport,
    "Workforce benchmarks",
    "FTE per 1,000 patients and patients per FTE by staff group against PCN peers, ICB and England. "
    "Today's workforce: the scenario fields are checked but do not change it.",
)


@router.get(
    "/org/{code}/children",
    response_model=ChildrenReport,
    summary="Organisations one level down",
    operation_id="getOrganisationChildren",
    responses=ERRORS,
    openapi_extra=SCENARIO_DOC,
)
def api_children(
    code: str,
    snap: ApiSnapshot,
    scenario: ApiScenario,
    by: Annotated[
        str | None, Query(description="practice, pcn, sub-icb, icb or region; default: one level down")
    ] = None,
    month: MonthQuery = None,
) -> JSONResponse:
    """One row per organisation at level ``by`` inside this one: patients, demand, capacity, gap."""
    org = _report(snap, "benchmark", code).organisation
    level = org.level
    if by:
        try:
            by = normalise_level(by)
        except ValueError:
            by = "?"
        allowed = levels_below(level)
        if by not in allowed:
            detail = f"by: must be one of {', '.join(allowed)}" if allowed else "by: a practice has nothing below it"
            raise HTTPException(status_code=422, detail=detail)
    elif level not in CHILD_LEVELS:
        raise HTTPException(status_code=422, detail="by: a practice has no organisations below it")
    return report_response(_report(snap, "children", org.code, scenario, by, month))
