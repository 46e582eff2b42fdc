"""Start page and organisation search: ``/``, ``/search?q=`` and its HTMX fragment.

Search is open data, so it needs no sign-in. The search box updates the results as you type
(HTMX GET of ``/search/results``, which answers with the results fragment and an
``HX-Push-Url`` of the full ``/search?q=`` page, so the address bar is always a page that works
without JavaScript); a normal form submit to ``/search`` does the same without scripts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gpworkforce.services.national import DataMissingError
from gpworkforce.services.periods_text import last_appointments_month, month_words
from gpworkforce.web.context import Snapshot
from gpworkforce.web.deps import CurrentUser, DashboardDep
from gpworkforce.web.errors import is_htmx

router = APIRouter(include_in_schema=False)

SEARCH_LIMIT = 20
MAX_QUERY = 100


def data_dates(snap: Snapshot) -> dict[str, str | None]:
    """When each dataset behind the pages was published or covers, as people read dates."""
    periods = snap.data.periods
    return {
        "patients": month_words(periods.get("patients")),
        "workforce": periods.get("workforce"),
        "pcn_workforce": month_words(periods.get("pcn_workforce")),
        "appointments": month_words(last_appointments_month(periods)),
    }


def _snapshot(dashboard: DashboardDep) -> Snapshot | None:
    try:
        return dashboard.snapshot()
    except DataMissingError:
        return None


def page_links(page: int, pages: int) -> list[int | None]:
    """Page numbers to link: the first, the last and the current one with its neighbours; None is
    an ellipsis (NHS.UK numbered pagination)."""
    wanted = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    links: list[int | None] = []
    for number in wanted:
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links


def _search_context(snap: Snapshot | None, q: str, page: int = 1) -> dict[str, Any]:
    query = q.strip()[:MAX_QUERY]
    every = snap.search(query) if snap is not None and query else []
    pages = max(1, -(-len(every) // SEARCH_LIMIT))
    page = min(max(page, 1), pages)
    start = (page - 1) * SEARCH_LIMIT
    return {
        "q": query,
        "hits": every[start : start + SEARCH_LIMIT],
        "total": len(every),
        "first": start + 1,
        "page": page,
        "pages": pages,
        "page_links": page_links(page, pages),
        "page_href": lambda number: "/search?" + urlencode({"q": query, **({"page": number} if number > 1 else {})}),
        "limit": SEARCH_LIMIT,
        "no_data": snap is None,
    }


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: CurrentUser, dashboard: DashboardDep) -> HTMLResponse:
    """Service start page: what it does, how recent the data are, search and England."""
    snap = _snapshot(dashboard)
    context = {"user": user, "dates": data_dates(snap) if snap else None, **_search_context(snap, "")}
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "home.html", context)
    return response


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request, dashboard: DashboardDep, _user: CurrentUser, q: str = "", page: int = 1
) -> HTMLResponse:
    """Search results as a full page (the no-JavaScript path and the address of every search),
    20 to a page; a page past the last shows the last."""
    context = _search_context(_snapshot(dashboard), q, page)
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "search.html", context)
    return response


@router.get("/search/results", response_class=HTMLResponse)
def search_results(request: Request, dashboard: DashboardDep, q: str = "", page: int = 1) -> HTMLResponse:
    """Only the results list, for HTMX; the address bar becomes the full search page."""
    context = {**_search_context(_snapshot(dashboard), q, page), "htmx": is_htmx(request)}
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "org/_search_results_partial.html", context
    )
    query = context["q"]
    response.headers["HX-Push-Url"] = context["page_href"](context["page"]) if query else "/search"
    return response
