"""FastAPI web dashboard: server-rendered NHS.UK pages, HTMX fragments, Plotly charts.

Start with ``uvicorn --factory gpworkforce.web.app:create_app``; see :mod:`gpworkforce.web.app`.
"""
