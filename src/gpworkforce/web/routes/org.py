"""Organisation pages: ``/org/{code}`` with its scenario panel, and the HTMX fragments.

How the scenario panel works (templates/org/_panel.html):

- The panel is a GET form whose action is the page itself, so without JavaScript "Update
  results" reloads ``/org/{code}?<fields>`` and the page renders that scenario.
- With JavaScript, HTMX sends the same fields to ``/org/{code}/results`` whenever a control
  changes (``input changed delay:250ms``) and swaps the answer, ``_results_partial.html``
  (cards, charts, tables), into ``#results``. The response carries ``HX-Push-Url`` with the
  canonical page address (``Scenario.changed_fields``: only fields that differ from the baseline),
  so the address bar is always a share link that renders the same results as a full page.
- The children table sorts server-side: ``?sort=col&dir=asc|desc`` on the page, or the
  ``/org/{code}/children`` fragment for HTMX.
- An invalid field gives an NHS error message naming it: a 400 page, or a 400 fragment
  (``static/js/scenario-panel.js`` lets HTMX swap 400s into the results). ``month`` (``YYYY-MM``,
  ``web.month_choice``) is checked the same way: a bad month, or one outside the scenario's year, is a 400.
- The calibration switches are checkboxes: the panel sends ``calibration_set=1`` beside them, so
  an unticked box (which a form does not send) means off; a share link carries only ``=false``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import escape

from gpworkforce.scenario import Scenario
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.organisations import LEVEL_LABELS, SupersededOrganisation, UnknownOrganisation
from gpworkforce.web.context import Snapshot
from gpworkforce.web.deps import DashboardDep, Viewer, ready_snapshot
from gpworkforce.web.errors import is_htmx, render_error
from gpworkforce.web.month_choice import page_month
from gpworkforce.web.panel import panel_controls
from gpworkforce.web.results_parts import PARTS, PRESENTATION, children_context, org_url, results_context
from gpworkforce.web.scenario_form import ScenarioError
from gpworkforce.web.superseded import superseded_response
from gpworkforce.web.views import OrgView, build_view

router = APIRouter(include_in_schema=False)

__all__ = ["PARTS", "org_url", "router"]


# --- URLs -----------------------------------------------------------------------------------------


def query_dict(request: Request) -> dict[str, str]:
    """The query string as a dict (the last value of a repeated field wins)."""
    return dict(request.query_params)


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
    month = None
    try:
        scenario, params = snap.parse(raw, strict=False)  # pages ignore unknown fields (utm_source...)
        month = page_month(snap.version, raw, scenario)
    except ScenarioError as exc:
        error, scenario, params = exc, Scenario(), {}
    view = build_view(snap, code, scenario, params, raw.get("by"), month)
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
    except SupersededOrganisation as exc:
        return superseded_response(request, exc.change)  # type: ignore[return-value]
    except UnknownOrganisation as exc:
        return _not_found(request, code, str(exc))
    except DataMissingError:
        return _no_data(request)
    context = results_context(snap, view, raw, False, request.app.state.templates)
    context.update(
        panel=panel_controls(snap, raw, view.scenario, error),
        error=error,
        error_list=error.error_list if error else [],
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
    except SupersededOrganisation as exc:
        return superseded_response(request, exc.change)  # type: ignore[return-value]
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
    except SupersededOrganisation as exc:
        return superseded_response(request, exc.change)  # type: ignore[return-value]
    except UnknownOrganisation as exc:
        return HTMLResponse(f'<p class="nhsuk-error-message">{_escape(str(exc))}</p>', status_code=404)
    if error is not None:
        return HTMLResponse(f'<p class="nhsuk-error-message">{_escape(str(error))}</p>', status_code=400)
    if view.children is None:  # a practice: nothing below it to list
        message = f"{view.org.label} is a practice, so there are no organisations below it to list."
        if is_htmx(request):
            return HTMLResponse(f'<p class="nhsuk-error-message">{_escape(message)}</p>', status_code=404)
        page = render_error(
            request, 404, explanation=message, link=(f"Go to the page for {view.org.name}", f"/org/{view.code}")
        )
        return page  # type: ignore[return-value]
    context = {"view": view, **children_context(view, raw.get("sort"), raw.get("dir"), oob=is_htmx(request))}
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "org/_children_partial.html", context
    )
    response.headers["HX-Push-Url"] = org_url(
        view.code, view.page_params, sort=context.get("sort"), dir=context.get("dir"), by=context.get("by_param")
    )
    return response


def _escape(text: str) -> str:
    return str(escape(text))
