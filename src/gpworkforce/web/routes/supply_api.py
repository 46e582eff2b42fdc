"""JSON API of the supply side: retirement risk (RAG) and the supply projection of an organisation.

Public aggregates only: per practice and role counts, shares and RAG; no staff-level data.
Query parameters are bounded (422 naming the field for anything out of range, never a 5xx).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse

from gpworkforce.reference.supply import PRESETS
from gpworkforce.services.organisations import SupersededOrganisation, UnknownOrganisation
from gpworkforce.services.supply import supply_report
from gpworkforce.services.supply_results import RetirementReport, SupplyReport
from gpworkforce.web import workforce_view
from gpworkforce.web.deps import ApiSnapshot
from gpworkforce.web.routes.api import ERRORS, report_response

router = APIRouter(prefix="/api", tags=["Organisations"])
#: Most draws the API runs in one request (the CLI allows 10,000).
API_MAX_DRAWS = 2000


def _org_errors(exc: Exception) -> HTTPException:
    if isinstance(exc, SupersededOrganisation):
        raise exc  # 410 with what the code became (web/superseded.py)
    if isinstance(exc, UnknownOrganisation):
        return HTTPException(status_code=404, detail=str(exc))
    return HTTPException(status_code=422, detail=str(exc))


@router.get(
    "/org/{code}/retirement",
    response_model=RetirementReport,
    summary="Retirement risk",
    operation_id="getOrganisationRetirement",
    responses=ERRORS,
)
def api_retirement(code: str, snap: ApiSnapshot) -> JSONResponse:
    """Per practice and role: heads and FTE aged 55+ and 60+, expected share of FTE leaving within 2 and 5
    years, red/amber/green and the reasons ("no age data" where there is none), at the thresholds an
    administrator set (``/admin/retirement-thresholds``), else the defaults in reference/general.csv."""
    try:
        report = workforce_view.retirement(snap, code)  # at the administrator's thresholds
    except (UnknownOrganisation, ValueError) as exc:
        raise _org_errors(exc) from None
    return report_response(report)  # type: ignore[arg-type]


@router.get(
    "/org/{code}/supply",
    response_model=SupplyReport,
    summary="Supply projection",
    operation_id="getOrganisationSupply",
    responses=ERRORS,
)
def api_supply(
    code: str,
    snap: ApiSnapshot,
    years: Annotated[int, Query(ge=1, le=10, description="Years to project")] = 10,
    draws: Annotated[int, Query(ge=1, le=API_MAX_DRAWS, description="Monte Carlo draws")] = 1000,
    preset: Annotated[str, Query(max_length=20, description=f"One of {', '.join(PRESETS)}")] = "calibrated",
    seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="Seed of the draws")] = 1,
) -> JSONResponse:
    """FTE by role for 1-10 years (expected and P10/P50/P90), the weekly appointment gap and GPs required
    against GPs available; where a practice has no age data its ages are England's profile, labelled estimate."""
    if preset not in PRESETS:
        raise HTTPException(status_code=422, detail=f"preset: one of {', '.join(PRESETS)}")
    try:
        report = supply_report(snap.version, code, years, draws, preset, seed)
    except (UnknownOrganisation, ValueError) as exc:
        raise _org_errors(exc) from None
    return report_response(report)  # type: ignore[arg-type]
