"""Routers, one module per area; :func:`gpworkforce.web.app.create_app` includes them."""
