"""The methodology page: what each figure means, where its inputs come from and their dates (the
loaded datasets' own periods), and what the model cannot know, in plain English."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gpworkforce.services.national import DataMissingError
from gpworkforce.services.periods_text import data_dates
from gpworkforce.web.deps import CurrentUser, DashboardDep

router = APIRouter(include_in_schema=False)  # an HTML page, not API


@router.get("/methodology", response_class=HTMLResponse)
def methodology(request: Request, user: CurrentUser, dashboard: DashboardDep) -> HTMLResponse:
    """How the figures are worked out; each section has an id the pages' "How this is worked out" links use."""
    try:
        version = dashboard.snapshot().version
    except DataMissingError:
        version = None
    context = {
        "user": user,
        "dates": data_dates(version) if version is not None else [],
        "reference": version.reference.general if version is not None else {},
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "methodology.html", context)
    return response
