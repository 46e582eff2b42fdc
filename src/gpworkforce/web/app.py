"""Application factory: ``uvicorn --factory gpworkforce.web.app:create_app``.

Settings come from arguments, else the environment:

- ``GPWORKFORCE_DATABASE_URL``: database (default: SQLite in the user data directory). The
  schema must already be migrated (``gpworkforce init``).
- ``GPWORKFORCE_SECRET_KEY``: session signing key (32+ random characters). Unset: a key is
  generated once and kept, mode 0600, next to the SQLite file or in the user data directory.
- ``GPWORKFORCE_HTTPS_ONLY=1``: mark the session cookie Secure (``__Host-`` prefix) and send
  HSTS. Turn it on whenever the app is served over TLS.

Middleware, outermost first: gzip (text responses of 500+ bytes; never xlsx, PDF or images) ->
security headers -> signed session cookie -> 500 page -> CSRF check -> routes. Static files
are served by ``web/assets.py`` (fingerprinted URLs cached for a year, gzipped once, 304s).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from gpworkforce.reference import load_reference
from gpworkforce.reports.source import jsonable
from gpworkforce.services.database import default_database_url, open_engine
from gpworkforce.services.retention import purge_login_attempts_due
from gpworkforce.services.scenario_run import ScenarioNotPossible
from gpworkforce.services.versions import Workspace
from gpworkforce.settings import get_settings
from gpworkforce.web import assets
from gpworkforce.web.context import Dashboard
from gpworkforce.web.errors import ServerErrorPageMiddleware, install_error_handlers, render_error, wants_json
from gpworkforce.web.formatting import install_template_helpers
from gpworkforce.web.routes import (
    about,
    api,
    apidocs,
    audit,
    auth,
    corrections,
    downloads,
    groups,
    health,
    home,
    methodology,
    org,
    register_api,
    register_files,
    register_pages,
    retirement_admin,
    scenarios,
    scenarios_api,
    supply_api,
    workforce,
    workforce_table,
)
from gpworkforce.web.security import (
    CSRFMiddleware,
    SecurityHeadersMiddleware,
    resolve_secret_key,
    security_headers,
)
from gpworkforce.web.superseded import install_superseded_handler
from gpworkforce.web.templating import SERVICE_NAME, STATIC_DIR, make_templates

#: The cookie slides: it lasts this long after the last response; see deps.ABSOLUTE_SESSION_SECONDS.
SESSION_IDLE_SECONDS: Final = 8 * 60 * 60
FAVICON: Final = STATIC_DIR / "vendor" / "nhsuk-frontend" / "assets" / "images" / "favicon.ico"
#: Responses gzip leaves alone: formats that are compressed already (an xlsx is a zip file).
NOT_GZIPPED: Final = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/pdf",
)


#: The groups of operations in /docs, in this order (every JSON route names one; a test checks).
OPENAPI_TAGS: list[dict[str, Any]] = [
    {
        "name": "Organisations",
        "description": "Search, and the figures of any practice, PCN, sub-ICB, ICB, region or England. "
        "Open data: no sign-in.",
    },
    {"name": "Downloads", "description": "The tables of an organisation page as CSV or Excel. Open data."},
    {"name": "Saved scenarios", "description": "Scenarios saved by signed-in users, shared within their organisation."},
    {
        "name": "FTE corrections",
        "description": "A practice's own FTE figures where the published ones are wrong (signed in, audited).",
    },
    {
        "name": "Staff register",
        "description": "A practice's (or PCN's) own staff records and vacancies, its monthly figures, files "
        "and an organisation's table (signed in, within scope, audited).",
    },
    {"name": "Audit", "description": "Who changed what and when (ICB, region and national users)."},
]


def create_app(
    database_url: str | None = None,
    *,
    secret_key: str | None = None,
    https_only: bool | None = None,
    engine: Engine | None = None,
) -> FastAPI:
    """Build the web app. Raises ``InsecureSecretKey`` for a short or placeholder secret key.

    ``engine`` lets tests share one engine (e.g. in-memory SQLite); otherwise one is made
    from ``database_url`` / ``$GPWORKFORCE_DATABASE_URL`` and disposed of at shutdown.
    """
    url = database_url or default_database_url()
    owns_engine = engine is None
    db_engine = engine if engine is not None else open_engine(url)
    key = resolve_secret_key(url, secret_key)
    secure = get_settings().https if https_only is None else https_only

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Build the national arrays now (5 s, or a disk-cache read) so the first page is fast.
        await run_in_threadpool(_app.state.dashboard.warm_up)
        try:  # old sign-in attempts go at start-up; a database that is down is /healthz's to report
            await run_in_threadpool(purge_login_attempts_due, db_engine, force=True)
        except SQLAlchemyError as exc:
            logging.getLogger(__name__).warning("could not purge old sign-in attempts: %s", exc)
        yield
        if owns_engine:
            db_engine.dispose()

    # /docs is our own offline Swagger page (routes/apidocs.py): FastAPI's loads it from a CDN.
    app = FastAPI(
        title=SERVICE_NAME,
        summary="NHS general practice demand, capacity, gap and benchmarks for every organisation in England",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        openapi_tags=OPENAPI_TAGS,
        lifespan=lifespan,
    )
    app.state.engine = db_engine
    app.state.secret_key = key
    app.state.https_only = secure
    app.state.templates = make_templates()
    # __Host- cookies must be Secure, path=/ and have no Domain: no subdomain can set them.
    app.state.session_cookie = "__Host-gpworkforce_session" if secure else "gpworkforce_session"
    # A browser the user has signed in on (services.sign_in_limits): skips the sign-in delays.
    app.state.device_cookie = "__Host-gpworkforce_device" if secure else "gpworkforce_device"
    # One services Workspace per app (its data versions memoise everything derived from them).
    app.state.ctx = Workspace(db_engine, load_reference())
    app.state.dashboard = Dashboard(app.state.ctx)
    install_template_helpers(app.state.templates)

    async def on_csrf_failure(request: Request, _reason: str) -> Response:
        return render_error(request, 403, kind="csrf", load_user=False)

    # add_middleware wraps: the last added is the outermost.
    app.add_middleware(CSRFMiddleware, on_failure=on_csrf_failure)
    app.add_middleware(ServerErrorPageMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie=app.state.session_cookie,
        max_age=SESSION_IDLE_SECONDS,
        same_site="lax",
        https_only=secure,
    )
    app.add_middleware(SecurityHeadersMiddleware, headers=security_headers(https_only=secure))
    # Level 6: nearly level 9's size at a third of the time, for pages made per request. Static
    # assets come gzipped already (level 9, once) and pass through untouched.
    app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=6, exclude_content_types=NOT_GZIPPED)

    install_error_handlers(app)
    install_superseded_handler(app)

    @app.exception_handler(ScenarioNotPossible)
    async def scenario_not_possible(request: Request, exc: ScenarioNotPossible) -> Response:
        return render_error(request, 400, kind="scenario", detail=str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            # without the offending input: it may be huge, or NaN/inf, which JSON cannot carry
            errors = [{k: v for k, v in e.items() if k != "input"} for e in exc.errors()]
            return JSONResponse({"detail": jsonable(jsonable_encoder(errors))}, status_code=422)
        return render_error(request, 400, load_user=False)

    registry = assets.default_registry()

    @app.get("/static/{rest:path}", include_in_schema=False)
    def static(request: Request, rest: str) -> Response:
        asset, current = registry.resolve(rest)
        if asset is None:
            return render_error(request, 404, load_user=False)
        return assets.asset_response(request, asset, immutable=current)

    # The addresses pages used before the bundle was vendored, kept for old links (short cache).
    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        return assets.asset_response(request, registry.asset(assets.PLOTLY_JS), immutable=False)

    @app.get("/vendor/plotly.css", include_in_schema=False)
    def plotly_css(request: Request) -> Response:
        return assets.asset_response(request, registry.asset(assets.PLOTLY_CSS), immutable=False)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(FAVICON, media_type="image/x-icon")

    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(home.router)
    app.include_router(methodology.router)
    app.include_router(org.router)
    app.include_router(workforce_table.router)  # before downloads: its path is more specific
    app.include_router(downloads.router)
    app.include_router(api.router)
    app.include_router(supply_api.router)
    app.include_router(workforce.router)
    app.include_router(retirement_admin.router)
    app.include_router(apidocs.router)
    app.include_router(corrections.router)
    app.include_router(register_files.router)  # before register_pages: its paths are more specific
    app.include_router(register_pages.router)
    app.include_router(register_api.router)
    app.include_router(groups.router)
    app.include_router(scenarios.router)
    app.include_router(scenarios_api.router)
    app.include_router(audit.router)
    app.include_router(about.router)
    return app
