"""Plotly served offline under a strict Content-Security-Policy.

Plotly.js normally injects its global CSS rules as an inline ``<style>`` element, which the
CSP (``style-src 'self'``) blocks. Instead we extract those rules from the packaged
``plotly.min.js`` once and serve them as ``/vendor/plotly.css``; the base template marks the
link with Plotly's style id so Plotly does not try to inject them. Figures travel as JSON in
``<script type="application/json">`` blocks drawn by ``static/js/charts.js`` (no inline script).
The chart builders themselves are in :mod:`gpworkforce.web.figures`.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Final

import plotly
import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

PLOTLY_JS: Final = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: Plotly's placeholders in its rule table: X = the plot container, Y = the notifier.
_PLACEHOLDERS: Final = {"X": ".js-plotly-plot .plotly", "Y": ".plotly-notifier"}
_STRING = r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
#: Style-element ids Plotly would create for map libraries (unused here); a <template>
#: with the id makes Plotly skip the inline <style> the CSP would block.
_GUARD_IDS: Final = ("plotly.js-style-maplibre", "plotly.js-style-mapbox", "plotly.js-style-modebar")


def _unquote(token: str) -> str:
    return str(json.loads('"' + token[1:-1].replace('\\"', '"').replace('"', '\\"') + '"'))


@lru_cache(maxsize=1)
def plotly_css() -> str:
    """Plotly's global CSS rules as a stylesheet (empty if the bundle's layout changes)."""
    text = PLOTLY_JS.read_text(encoding="utf-8")
    start = text.find('"X,X div"')
    end = text.find("};for(", start)
    if start < 0 or end < 0:
        return ""
    rules = []
    for key, value in re.findall(_STRING + ":" + _STRING, text[start:end]):
        selector = _unquote(key)
        selector = re.sub(r"^,", " ,", selector)
        for placeholder, replacement in _PLACEHOLDERS.items():
            selector = selector.replace(placeholder, replacement)
        rules.append(f"{selector}{{{_unquote(value)}}}")
    return "\n".join(rules) + "\n"


def plotly_style_guard_ids() -> tuple[str, ...]:
    """Ids the base template reserves so Plotly never injects inline style elements."""
    return _GUARD_IDS


def figure_json(fig: go.Figure) -> str:
    """A figure as JSON safe to embed in ``<script type="application/json">`` (no ``</script>``)."""
    body = json.dumps(fig.to_plotly_json(), cls=PlotlyJSONEncoder, separators=(",", ":"))
    return body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
