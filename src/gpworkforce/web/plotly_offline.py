"""Plotly served from the vendored partial bundle, in a form the strict CSP allows.

Chart *builders* live elsewhere (:mod:`gpworkforce.web.figures`); this module only makes
Plotly work offline under ``script-src 'self'; style-src 'self'``:

- ``static/vendor/plotly/plotly-basic.min.js``: plotly.js's published "basic" bundle (bar,
  scatter and pie traces only: 1.2 MB, 0.4 MB gzipped, against 4.8 MB for the full bundle the
  Python package ships). Its plotly.js version must equal the one inside the installed
  ``plotly`` package, which builds and validates the figures (a unit test checks). Served at a
  fingerprinted URL by :mod:`gpworkforce.web.assets`, and at the old ``/vendor/plotly.min.js``.
- ``vendor/plotly/plotly.css`` (also ``/vendor/plotly.css``): the global style rules plotly.js
  normally injects as an inline ``<style>`` element (which the CSP blocks), read out of the
  bundle once so they follow plotly upgrades. The base template links them with ``id="plotly.js-style-global"
  class="no-inline-styles"``, plotly's own switch for "already on the page, do not inject".
- Plotly also injects the CSS of bundled libraries it only needs for map traces (maplibre),
  each as a ``<style>`` skipped when an element with a given id exists. Map traces need online
  tiles, so this offline app does not use them; the base template emits an empty ``<template>``
  with each id found in the bundle (:func:`plotly_style_guard_ids`).
- Figures are embedded as JSON, never with ``fig.to_html`` (its inline ``<script>`` is blocked),
  by the ``plotly_chart`` macro through the ``plotly_json`` filter (:func:`embeddable_json`), and
  drawn by ``static/js/charts.js``, also after HTMX swaps.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import plotly
from markupsafe import Markup

#: The bundle the browser gets (see static/vendor/README.md for where it comes from).
PLOTLY_JS: Final = Path(__file__).resolve().parent / "static" / "vendor" / "plotly" / "plotly-basic.min.js"
#: The full bundle inside the Python package: only its version is read, to check they match.
PACKAGE_PLOTLY_JS: Final = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: The banner's version: "plotly.js v4.1.1" (full) or "plotly.js (basic - minified) v4.1.1".
_VERSION: Final = re.compile(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)")

#: Start of plotly's rule table in the bundle: {"X,X div":'direction:ltr;...', ...}.
_RULES_START: Final = re.compile(r"""\{\s*["']X,X div["']\s*:""")
_STRING: Final = re.compile(r""""((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'""", re.DOTALL)
#: A key is a string, or a bare identifier where the minifier dropped the quotes (``Y:'...'``).
_KEY: Final = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([A-Za-z_$][\w$]*))\s*:""", re.DOTALL)
#: Guarded CSS injection: if(!document.getElementById("ID")){var e=document.createElement("style");e.id="ID"
_GUARDED_STYLE: Final = re.compile(
    r"""getElementById\("([^"]+)"\)\)\{var (\w+)=document\.createElement\("style"\);\2\.id="\1\""""
)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_plotly_rules(bundle: str) -> list[tuple[str, str]]:
    """(selector, declarations) pairs from plotly's minified rule table, in bundle order.

    Placeholders are expanded as plotly does: ``X`` -> ``.js-plotly-plot .plotly``, ``Y`` ->
    ``.plotly-notifier``. Raises ValueError if the table is not found, so a plotly upgrade
    that changes the bundle fails the tests rather than the charts.
    """
    match = _RULES_START.search(bundle)
    if match is None:
        raise ValueError("plotly's style rule table was not found in plotly.min.js")
    pos = match.start() + 1
    rules: list[tuple[str, str]] = []
    while True:
        key = _KEY.match(bundle, pos)
        if key is None:
            break
        value = _STRING.match(bundle, key.end())
        if value is None:
            break
        raw_key = next(group for group in key.groups() if group is not None)
        selector = _unescape(raw_key) if key.group(3) is None else raw_key
        body = _unescape(value.group(1) if value.group(1) is not None else value.group(2))
        selector = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly")
        rules.append((selector.replace("Y", ".plotly-notifier"), body))
        pos = value.end()
        if bundle[pos : pos + 1] != ",":
            break
        pos += 1
    if len(rules) < 10:
        raise ValueError(f"only {len(rules)} plotly style rules parsed; the bundle format changed")
    return rules


@lru_cache(maxsize=1)
def _bundle() -> str:
    return PLOTLY_JS.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def plotly_css() -> str:
    """Plotly's global stylesheet as CSS text (cached; about 7 KB, 66 rules for plotly.js 4.1.1)."""
    lines = [f"/* Generated from plotly.js {plotly_js_version()} by gpworkforce.web.plotly_offline */"]
    lines += [f"{selector}{{{body}}}" for selector, body in parse_plotly_rules(_bundle())]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def plotly_style_guard_ids() -> tuple[str, ...]:
    """Ids whose presence stops plotly.min.js injecting a library's inline ``<style>`` at load."""
    return tuple(dict.fromkeys(m.group(1) for m in _GUARDED_STYLE.finditer(_bundle())))


def bundle_version(path: Path) -> str:
    """The plotly.js version in a bundle's banner, e.g. ``4.1.1`` (``unknown`` without one)."""
    with path.open(encoding="utf-8") as handle:
        match = _VERSION.search(handle.read(400))
    return match.group(1) if match else "unknown"


@lru_cache(maxsize=1)
def plotly_js_version() -> str:
    """The plotly.js version of the served bundle, e.g. ``4.1.1``."""
    return bundle_version(PLOTLY_JS)


def embeddable_json(figure: Any) -> Markup:
    """A figure as JSON that is safe inside ``<script type="application/json">``.

    Accepts a ``plotly.graph_objects.Figure``, a dict, or JSON text (e.g. ``fig.to_json()``).
    ``<``, ``>`` and ``&`` can only occur inside JSON strings, so writing them as ``\\u003c``
    etc. keeps the JSON equal and makes ``</script>`` impossible. Idempotent.
    """
    if isinstance(figure, str):
        text = str(figure)
    else:
        try:  # the chart builders' plain dicts: the standard encoder is several times faster than Plotly's
            text = json.dumps(figure, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):  # numpy values, NaN, a Figure: Plotly's encoder knows them
            import plotly.io as pio

            text = pio.to_json(figure, validate=False, pretty=False)
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(safe)  # escaped above; JSON, not HTML
