"""Test-only app: the real ``create_app`` plus probe pages under ``/__e2e__/``.

Started by ``live_server_factory(app_factory="e2e_test_app:create_app", app_dir=tests/e2e)``.
- ``/__e2e__/chart``: Plotly charts, to prove they render under the production CSP.
- ``/__e2e__/htmx``: an ``hx-post`` button, to prove htmx sends the CSRF header from ``<body hx-headers>``.
"""

from __future__ import annotations

import plotly.graph_objects as go
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, DictLoader

from gpworkforce.web.app import create_app as create_real_app

PAGE = """{% extends "base.html" %}
{% from "macros/nhsuk.html" import plotly_chart, plotly_scripts with context %}
{% block title %}Charts{% endblock %}
{% block content %}
<h1>Charts</h1>
{% for id, fig, caption in charts %}{{ plotly_chart(id, fig, caption) }}{% endfor %}
{% endblock %}
{% block scripts %}{{ plotly_scripts() }}{% endblock %}
"""

HTMX_PAGE = """{% extends "base.html" %}
{% block title %}htmx{% endblock %}
{% block content %}
<h1>htmx</h1>
<button class="nhsuk-button" type="button" hx-post="/__e2e__/htmx" hx-target="#result">Send</button>
<p id="result">Nothing sent yet</p>
{% endblock %}
"""


def create_app() -> FastAPI:
    app = create_real_app()
    templates = app.state.templates
    templates.env.loader = ChoiceLoader(
        [templates.env.loader, DictLoader({"e2e_chart.html": PAGE, "e2e_htmx.html": HTMX_PAGE})]
    )
    figures: list[tuple[str, object, str]] = [
        ("bar", go.Figure(go.Bar(x=["GP", "Nurse", "DPC"], y=[5.2, 3.1, 4.0])), "FTE by staff group"),
        ("line", go.Figure(go.Scatter(x=[2025, 2026, 2027], y=[1, 3, 2], mode="lines+markers")), "Gap by year"),
        # JSON text with "</script>" in it: the plotly_json filter must escape it. Horizontal bars,
        # as on the pages (the served bundle has bar, scatter and pie traces only).
        (
            "hbar",
            go.Figure(go.Bar(x=[1, 2], y=["</script>", "b"], orientation="h")).to_json(),
            "A horizontal bar chart</script>",
        ),
        ("dict", {"data": [{"type": "bar", "x": ["a"], "y": [1]}], "layout": {}}, "A plain dict"),
    ]

    @app.get("/__e2e__/chart", response_class=HTMLResponse)
    def chart_page(request: Request) -> HTMLResponse:
        response: HTMLResponse = templates.TemplateResponse(request, "e2e_chart.html", {"charts": figures})
        return response

    @app.get("/__e2e__/htmx", response_class=HTMLResponse)
    def htmx_page(request: Request) -> HTMLResponse:
        response: HTMLResponse = templates.TemplateResponse(request, "e2e_htmx.html", {})
        return response

    @app.post("/__e2e__/htmx", response_class=HTMLResponse)
    def htmx_post(request: Request) -> HTMLResponse:  # only reached if the CSRF middleware let it through
        return HTMLResponse("Sent with a valid CSRF token")

    return app
