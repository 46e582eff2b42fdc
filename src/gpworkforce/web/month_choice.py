"""The organisation page's month: the months it offers and the ``month`` query field, checked.

A month is not a scenario lever: it adds "expected appointments in <Month YYYY>" beside the weekly
figures (which stay as they are) and the ``appointments_in_month`` column of the table of
organisations below, as ``gpworkforce demand ORG --month YYYY-MM`` does. Like the CLI and the API,
a month after the data's year takes that year's projected demand unless the scenario names a year,
and a month outside the scenario's year is refused (a 400 naming the field).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np

from gpworkforce.scenario import Scenario
from gpworkforce.services.months import parse_month, scenario_for_month
from gpworkforce.services.periods_text import month_words
from gpworkforce.services.versions import DataVersion
from gpworkforce.web.scenario_form import ScenarioError

#: How many months after the patients file's month the select offers.
MONTHS_AHEAD: Final = 18
MONTH_FIELD: Final = "month"
MONTH_LABEL: Final = "Month"
MONTH_HINT: Final = (
    "Show the appointments expected in one calendar month, from England's working days (bank holidays) "
    "and the seasonal pattern of NHS England's national series. Weekly figures stay as they are."
)


def month_label(month: str) -> str:
    """``2026-11`` -> ``November 2026`` (a checked month; ``services.periods_text.month_words``)."""
    return month_words(month) or month


def month_options(version: DataVersion, scenario: Scenario) -> list[tuple[str, str]]:
    """The data's year, the next MONTHS_AHEAD months after the patients file's month and, for a
    projection, the projection year's months: ``(YYYY-MM, "Month YYYY")``, in order."""
    base = version.base_year
    start = np.datetime64(f"{base:04d}-01", "M")
    patients = version.data.periods.get("patients") or f"{base:04d}-12"
    try:
        latest = np.datetime64(str(patients)[:7], "M")
    except ValueError:
        latest = np.datetime64(f"{base:04d}-12", "M")
    months = {str(start + i) for i in range(12)}
    months |= {str(latest + i) for i in range(1, MONTHS_AHEAD + 1)}
    if scenario.year is not None:
        first = np.datetime64(f"{scenario.year:04d}-01", "M")
        months |= {str(first + i) for i in range(12)}
    valid = []
    for month in sorted(months):
        try:
            valid.append(parse_month(month))
        except ValueError:
            continue  # beyond the bank-holiday table
    return [(m, month_label(m)) for m in valid]


def page_month(version: DataVersion, raw: Mapping[str, str], scenario: Scenario) -> str | None:
    """The page's ``month`` (None when not asked for), checked; raises :class:`ScenarioError`."""
    text = str(raw.get(MONTH_FIELD) or "").strip()
    if not text:
        return None
    try:
        month = parse_month(text)
    except ValueError as exc:
        raise ScenarioError(MONTH_FIELD, str(exc)) from None
    try:
        scenario_for_month(version, scenario, month)
    except ValueError:
        year = scenario.year
        raise ScenarioError(
            MONTH_FIELD,
            f"{month_label(month)} is not in the projection year {year}: choose a month of {year}, or no month",
        ) from None
    return month
