"""Offline API documentation: Swagger UI at ``/docs`` for ``/openapi.json``.

FastAPI's ``get_swagger_ui_html`` loads Swagger UI from a CDN and starts it with an inline
``<script>``; both are blocked here (no network, ``script-src 'self'``). This page loads the
vendored bundle (``static/vendor/swagger-ui/``, see ``static/vendor/README.md``) and starts it
from ``static/js/swagger-init.js``, which reads the schema address from a data attribute and
turns off the online validator badge (it would call validator.swagger.io).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import escape

from gpworkforce.web.assets import static_url
from gpworkforce.web.templating import SERVICE_NAME

router = APIRouter(include_in_schema=False)


PAGE: Final = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" href="{favicon}" type="image/svg+xml">
  <link rel="stylesheet" href="{css}">
  <link rel="stylesheet" href="{overrides_css}">
  <link rel="stylesheet" href="{app_css}">
</head>
<body class="app-apidocs">
  <header class="app-apidocs__header">
    <a href="/">{service}</a>: JSON API. The organisation and search endpoints are open data: no sign-in needed.
  </header>
  <main id="swagger-ui" data-openapi-url="{openapi}"></main>
  <script src="{js}"></script>
  <script src="{init_js}"></script>
</body>
</html>
"""


def swagger_page(openapi_url: str, title: str) -> str:
    """The Swagger UI page for ``openapi_url`` (no inline script or style; nothing from elsewhere)."""
    return PAGE.format(
        title=escape(title),
        service=escape(SERVICE_NAME),
        favicon=static_url("vendor/nhsuk-frontend/assets/images/favicon.svg"),
        css=static_url("vendor/swagger-ui/swagger-ui.css"),
        overrides_css=static_url("css/swagger-overrides.css"),
        app_css=static_url("css/app.css"),
        js=static_url("vendor/swagger-ui/swagger-ui-bundle.js"),
        init_js=static_url("js/swagger-init.js"),
        openapi=escape(openapi_url),
    )


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    """Interactive documentation of the JSON API, served entirely from this app."""
    openapi_url = request.app.openapi_url or "/openapi.json"
    return HTMLResponse(swagger_page(openapi_url, f"{SERVICE_NAME} API – NHS"))


@router.get("/api")
@router.get("/api/")
def api_index(request: Request) -> JSONResponse:
    """What the API offers, for someone who typed ``/api``: the docs, the schema and every path."""
    paths = request.app.openapi().get("paths", {})
    endpoints = [
        {"path": path, "method": method.upper(), "summary": op.get("summary", "")}
        for path, ops in paths.items()
        if path.startswith("/api/")
        for method, op in ops.items()
    ]
    return JSONResponse(
        {
            "name": f"{SERVICE_NAME} API",
            "detail": (
                "Every organisation page has a JSON twin under /api. See /docs to try it, /openapi.json for the schema."
            ),
            "docs": "/docs",
            "openapi": "/openapi.json",
            "endpoints": endpoints,
        }
    )
