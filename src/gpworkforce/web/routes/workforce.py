"""Retirement risk and the supply projection of an organisation, on the web.

- ``/org/{code}/workforce``: a full page with both (works without JavaScript: the sort links and
  the preset form reload it).
- ``/org/{code}/workforce/retirement`` and ``/org/{code}/workforce/supply``: the same two parts as
  HTMX fragments. The organisation page loads them lazily (``hx-trigger="revealed"``) so its own
  answer stays as fast and light as before; the retirement table sorts by swapping its fragment.

Bad query fields are a 400 naming the field (never a 5xx); an unknown code is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from gpworkforce.scenario import Scenario
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.organisations import LEVEL_LABELS, SupersededOrganisation, UnknownOrganisation
from gpworkforce.web.context import Snapshot
from gpworkforce.web.deps import DashboardDep, Viewer, ready_snapshot
from gpworkforce.web.errors import is_htmx, render_error
from gpworkforce.web.superseded import superseded_response
from gpworkforce.web.views import build_view
from gpworkforce.web.workforce_view import WorkforceParamError, retirement_context, supply_context

router = APIRouter(include_in_schema=False)


def _fragment_error(status: int, message: str) -> HTMLResponse:
    return HTMLResponse(f'<p class="nhsuk-error-message">{escape(message)}</p>', status_code=status)


async def _part(
    request: Request, dashboard: DashboardDep, code: str, build: Callable[[Snapshot, dict[str, str]], dict[str, Any]],
    template: str,
) -> Response:  # fmt: skip
    raw = dict(request.query_params)
    try:
        snap = await ready_snapshot(dashboard)
        context = build(snap, raw)
    except SupersededOrganisation as exc:
        return superseded_response(request, exc.change)
    except UnknownOrganisation as exc:
        return _fragment_error(404, str(exc))
    except WorkforceParamError as exc:
        return _fragment_error(400, str(exc))
    except DataMissingError:
        return _fragment_error(503, "No national data are loaded.")
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, template, context)
    return response


@router.get("/org/{code}/workforce/retirement", response_class=HTMLResponse)
async def retirement_part(request: Request, code: str, dashboard: DashboardDep) -> Response:
    """The retirement-risk table (RAG per practice and role), sorted by ``sort``/``dir``."""
    return await _part(
        request, dashboard, code,
        lambda snap, raw: {**retirement_context(snap, code, raw, f"/org/{snap.org(code).code}/workforce"),
                           "htmx": is_htmx(request)},
        "org/_retirement_partial.html",
    )  # fmt: skip


@router.get("/org/{code}/workforce/supply", response_class=HTMLResponse)
async def supply_part(request: Request, code: str, dashboard: DashboardDep) -> Response:
    """The supply projection (fan charts, tables) for ``preset``, ``years`` and ``draws``."""
    return await _part(
        request, dashboard, code, lambda snap, raw: supply_context(snap, code, raw), "org/_supply_partial.html"
    )


@router.get("/org/{code}/workforce", response_class=HTMLResponse)
async def workforce_page(request: Request, code: str, dashboard: DashboardDep, _user: Viewer) -> Response:
    """Both parts on one page (no JavaScript needed)."""
    raw = dict(request.query_params)
    try:
        snap = await ready_snapshot(dashboard)
        org = snap.org(code)
        view = build_view(snap, org.code, Scenario(), {}, None, None)
        context: dict[str, Any] = {
            "view": view,
            "level_label": LEVEL_LABELS[org.level],
            "crumbs": view.crumbs,
            **supply_context(snap, org.code, raw),
            **retirement_context(snap, org.code, raw, f"/org/{org.code}/workforce"),
        }
    except SupersededOrganisation as exc:
        return superseded_response(request, exc.change)
    except UnknownOrganisation as exc:
        return render_error(request, 404, explanation=str(exc))
    except WorkforceParamError as exc:
        return render_error(request, 400, explanation=f"The projection settings are not valid: {exc}")
    except DataMissingError as exc:
        return render_error(request, 503, explanation=str(exc))
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "org/workforce.html", context)
    return response
