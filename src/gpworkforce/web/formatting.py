"""Numbers, percentages, lever values and organisation names as the pages show them (template filters)."""

from __future__ import annotations

import math
from typing import Any, Final

from fastapi.templating import Jinja2Templates

from gpworkforce.nomenclature import display_name
from gpworkforce.services.organisations import LEVEL_LABELS
from gpworkforce.web.scenario_form import Lever

#: Plural nouns for "by" choices and table captions.
LEVEL_PLURALS: Final = {
    "region": "regions",
    "icb": "ICBs",
    "sub_icb": "sub-ICB locations",
    "pcn": "PCNs",
    "practice": "practices",
}


def _number(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def fmt_number(value: Any, digits: int = 0) -> str:
    """``1234.5`` -> ``1,235``; missing values -> an en dash."""
    f = _number(value)
    if f is None:
        return "–"
    if digits == 0 and abs(f) < 0.5:
        f = 0.0  # no "-0"
    return f"{f:,.{digits}f}"


def fmt_money(value: Any) -> str:
    """Pounds as a reader says them: ``159998`` -> ``£160,000``; ``2.43e6`` -> ``£2.4 million``;
    under £1,000 to the pound; missing -> an en dash. Costs are estimates, so three significant
    figures at most."""
    f = _number(value)
    if f is None:
        return "–"
    sign, f = ("-" if f < 0 else ""), abs(f)
    if f >= 1e9:
        return f"{sign}£{f / 1e9:,.1f} billion"
    if f >= 1e6:
        return f"{sign}£{f / 1e6:,.1f} million"
    if f >= 1000:
        rounded = float(f"{f:.3g}")
        return f"{sign}£{rounded:,.0f}"
    return f"{sign}£{f:,.0f}"


def fmt_signed(value: Any, digits: int = 0) -> str:
    """``1234`` -> ``+1,234``; ``-5`` -> ``-5``; zero has no sign."""
    f = _number(value)
    if f is None:
        return "–"
    text = fmt_number(f, digits)
    return text if text.startswith("-") or float(text.replace(",", "")) == 0 else "+" + text


def fmt_pct(value: Any, digits: int = 1, signed: bool = False) -> str:
    """``0.052`` -> ``5.2%`` (``+5.2%`` when signed)."""
    f = _number(value)
    if f is None:
        return "–"
    text = f"{f * 100:.{digits}f}%"
    if text.startswith("-") and float(text[:-1]) == 0:
        text = text[1:]
    return ("+" + text) if signed and not text.startswith("-") and f * 100 >= 10 ** (-digits) / 2 else text


def fmt_cell(value: Any, fmt: str) -> str:
    """A table cell by column format."""
    if fmt == "text":
        return "" if value is None else str(value)
    if fmt == "signed":
        return fmt_signed(value)
    if fmt == "pct":
        return fmt_pct(value)
    if fmt == "dec1":
        return fmt_number(value, 1)
    if fmt == "dec2":
        return fmt_number(value, 2)
    return fmt_number(value)


def lever_decimals(lever: Lever) -> int:
    """Decimals that show one step of a percentage slider (0.005 -> 1, 0.05 -> 0)."""
    if lever.unit != "%":
        return 0
    return max(0, -math.floor(math.log10(lever.step * 100) + 1e-9))


def fmt_lever(lever: Lever, value: float | None) -> str:
    """A lever's value as the panel shows it (``0.2`` -> ``20%``)."""
    if value is None:
        return "–"
    if lever.unit == "%":
        return fmt_pct(value, lever_decimals(lever), signed=lever.minimum < 0)
    return f"{value:g}"


def install_template_helpers(templates: Jinja2Templates) -> None:
    """Filters and globals the organisation, search and home templates use."""
    templates.env.filters.update(
        num=fmt_number,
        money=fmt_money,
        signed=fmt_signed,
        pct=fmt_pct,
        cell=fmt_cell,
        level_label=lambda lv: LEVEL_LABELS[lv],
        org_name=display_name,
    )
    templates.env.globals.update(level_plurals=LEVEL_PLURALS, level_labels=LEVEL_LABELS)
