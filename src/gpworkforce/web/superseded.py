"""Answers for a code that was in use in an older mapping: what it became, with links.

Why a 410 page and not a redirect: even when one successor holds all of an old code's
practices (QH8 -> D7T5G), the successor is a bigger organisation (NHS Essex ICB also took
practices of two other ICBs), so sending the user there silently would show other figures
under a code they did not ask for. The page says what happened and links to each successor.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from gpworkforce.services.organisations import LEVEL_LABELS, CodeChange, Successor, SupersededOrganisation
from gpworkforce.web.errors import is_htmx, wants_json

#: 410 Gone: the code existed and is no longer in use (404 stays for codes never seen).
GONE = 410


def _link(s: Successor) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "level": s.level,
        "url": f"/api/org/{s.code}",
        "page": f"/org/{s.code}",
        "practices": s.practices,
        "share_of_practices": round(s.share_of_practices, 4),
        "share_of_patients": round(s.share_of_patients, 4),
    }


def superseded_json(change: CodeChange) -> dict[str, Any]:
    """The API body: ``detail`` (the message), the old code and ``superseded_by`` (with links)."""
    return {
        "detail": change.message,
        "code": change.code,
        "name": change.name,
        "level": change.level,
        "last_seen": change.last_seen,
        "status": "closed or merged" if change.level == "practice" else "no longer in use",
        "superseded_by": [_link(s) for s in change.successors],
        "now_in": [_link(p) for p in change.parts],
    }


def superseded_response(request: Request, change: CodeChange) -> Response:
    """JSON for API clients, an HTML fragment for HTMX, else the full page (all 410)."""
    if wants_json(request):
        return JSONResponse(superseded_json(change), status_code=GONE)
    templates = request.app.state.templates
    context = {
        "change": change,
        "level_label": LEVEL_LABELS[change.level],
        "part_label": LEVEL_LABELS[change.parts[0].level] if change.parts else "",
        "q": "",
    }
    name = "org/_superseded_partial.html" if is_htmx(request) else "org/superseded.html"
    response: HTMLResponse = templates.TemplateResponse(request, name, context, status_code=GONE)
    return response


def install_superseded_handler(app: FastAPI) -> None:
    """Any route that lets :class:`SupersededOrganisation` escape (the API's) answers 410 with links."""

    def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SupersededOrganisation)
        return superseded_response(request, exc.change)

    app.add_exception_handler(SupersededOrganisation, handler)
