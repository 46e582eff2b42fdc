"""Error responses: NHS-style pages for people, JSON for ``/api`` and small bodies for HTMX.

One place decides the format, so a 403 from the CSRF middleware, a 404 from routing and a
401 from :data:`~gpworkforce.web.deps.RequireUser` look the same to the same client.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gpworkforce.services.database import DatabaseBusy
from gpworkforce.web.deps import LoginRequired, load_session_user_alone, remember_user

SIGN_IN_PATH: Final = "/sign-in"
#: Seconds a client is asked to wait after a 503 "busy" (another writer held the database).
BUSY_RETRY_AFTER: Final = 5

#: status -> (page title, paragraphs). Wording follows the NHS service manual's error pages.
_PAGES: Final[dict[int | str, tuple[str, tuple[str, ...]]]] = {
    400: (
        "Sorry, there is a problem with the service",
        ("The form you sent could not be read. Go back, refresh the page and try again.",),
    ),
    401: ("You need to sign in", ("Sign in to use this page.",)),
    403: (
        "You do not have permission to see this page",
        ("Your account's role or organisation does not include this page or data.",),
    ),
    "csrf": (
        "Sorry, we could not process your request",
        (
            "This can happen if the page was open for a long time, or if you signed in or out in another tab.",
            "Go back, refresh the page and try again.",
        ),
    ),
    "scenario": (
        "This scenario cannot be run for this organisation",
        ("Go back and change the settings named below.",),
    ),
    404: (
        "Page not found",
        (
            "If you typed the web address, check it is correct.",
            "If you pasted the web address, check you copied the entire address.",
        ),
    ),
    405: ("Sorry, there is a problem with the service", ("That action is not available on this page.",)),
    413: ("Sorry, there is a problem with the service", ("The file or form you sent is too large.",)),
    500: (
        "Sorry, there is a problem with the service",
        ("Try again later.", "If the problem continues, contact your system administrator."),
    ),
    503: ("Sorry, the service is unavailable", ("Try again later.",)),
    "busy": (
        "Sorry, the service is busy",
        (
            "Another change was being saved at the same time, so yours was not saved.",
            "Wait a few seconds and try again.",
        ),
    ),
}

#: Where an API client that took a wrong turn finds the API's description.
API_HELP: Final = {"docs": "/docs", "openapi": "/openapi.json", "index": "/api/"}


def wants_json(request: Request) -> bool:
    """API clients get JSON: anything under /api, or a request that asks for JSON and not HTML."""
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def is_htmx(request: Request) -> bool:
    """True for requests made by htmx (it sends ``HX-Request: true``)."""
    return request.headers.get("hx-request") == "true"


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site (not a sign-in/out page), else ``/``. Stops open redirects."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ch in target for ch in "\r\n\t\x00"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path in (SIGN_IN_PATH, "/sign-out"):
        return "/"
    return target


def sign_in_url(request: Request) -> str:
    """The sign-in page, returning to the current page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = safe_next(here)
    return SIGN_IN_PATH if target == "/" else f"{SIGN_IN_PATH}?next={quote(target, safe='/')}"


def _ensure_user_loaded(request: Request) -> None:
    """Error pages show the account header too, even when no route dependency loaded the user."""
    if hasattr(request.state, "user") or "session" not in request.scope:
        return
    try:
        remember_user(request, load_session_user_alone(request))
    except SQLAlchemyError:  # the error page must render even when the database is the problem
        remember_user(request, None)


def render_error(
    request: Request,
    status_code: int,
    *,
    kind: str | None = None,
    detail: str | None = None,
    explanation: str | None = None,
    link: tuple[str, str] | None = None,
    load_user: bool = True,
) -> Response:
    """The error response for this client: JSON, an HTMX-friendly fragment, or a full NHS page.

    ``explanation`` is what went wrong in this case (shown whatever the status, and the JSON's
    ``detail``); ``detail`` is shown only on 403 and 413 pages, where it never echoes input.
    ``link`` is (text, same-site path) of the page to go to instead.
    """
    title, paragraphs = _PAGES.get(kind or status_code, _PAGES.get(status_code, _PAGES[500]))
    if explanation and status_code == 400:
        paragraphs = ("Go back, correct the settings and try again.",)
    if wants_json(request):
        body: dict[str, Any] = {"detail": explanation or detail or title}
        if status_code == 404:
            body.update(API_HELP)  # a wrong address: say where the API is described
        return JSONResponse(body, status_code=status_code)
    if load_user:
        _ensure_user_loaded(request)
    context: dict[str, Any] = {
        "status_code": status_code,
        "title": title,
        "paragraphs": paragraphs,
        "detail": detail if (status_code in (403, 413) and kind != "csrf") or kind == "scenario" else None,
        "explanation": explanation,
        "link": link,
        "sign_in_url": sign_in_url(request),
    }
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", context, status_code=status_code)


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers for HTTP errors, missing sign-in and unexpected exceptions."""

    def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else None
        response = render_error(request, exc.status_code, detail=detail)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    def login_required(request: Request, exc: Exception) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": "Not signed in"}, status_code=401, headers={"WWW-Authenticate": "Session"})
        if is_htmx(request):  # htmx follows HX-Redirect whatever the status
            return Response(status_code=401, headers={"HX-Redirect": sign_in_url(request)})
        if request.method in ("GET", "HEAD"):
            return RedirectResponse(sign_in_url(request), status_code=303)
        return render_error(request, 401, load_user=False)

    def database_busy(request: Request, exc: Exception) -> Response:
        # A normal response (not a re-raised exception), so the keep-alive connection stays open.
        response = render_error(request, 503, kind="busy", detail=str(exc), load_user=False)
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(DatabaseBusy, database_busy)


class ServerErrorPageMiddleware:
    """Answer an unhandled exception with the NHS 500 page, then re-raise it for the server log.

    Starlette's own handler sits outside every middleware, so its page would lack the session
    and the security headers; this one is added inside both.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if not started:
                request = Request(scope, receive)
                response = await run_in_threadpool(render_error, request, 500, load_user=False)
                await response(scope, receive, send)
            raise
