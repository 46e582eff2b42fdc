"""Placeholder home page; the organisation dashboard replaces it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gpworkforce.web.deps import CurrentUser

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: CurrentUser) -> HTMLResponse:
    """Service start page; shows who is signed in."""
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, "home.html", {"user": user})
    return response
