"""The loaded datasets' periods in words ("July 2026", "April 2024 to March 2025"), for the
cards and the methodology page, so a figure says when its data are from instead of "today"."""

from __future__ import annotations

import re
from calendar import month_name
from collections.abc import Mapping
from typing import Final

from pydantic import BaseModel, ConfigDict

from gpworkforce.services.versions import DataVersion

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$")
_FY = re.compile(r"^FY(\d{4})$")
_YEAR_PAIR = re.compile(r"^(\d{4})-(\d{2})$")

#: The datasets a user sees dates for, and what each is called on the methodology page.
DATASET_NAMES: Final = {
    "patients": "Registered patients (NHS England, Patients Registered at a GP Practice)",
    "mapping": "Practices and the organisations they belong to (NHS England)",
    "workforce": "Practice staff FTE (NHS England GP workforce statistics, yearly averages)",
    "pcn_workforce": "PCN-employed staff (NHS England PCN workforce census)",
    "appointments": "Appointments by practice (NHS England, Appointments in General Practice)",
    "subicb_appointments": "Appointments by month and sub-ICB (NHS England, Appointments in General Practice)",
    "imd": "Deprivation (Index of Multiple Deprivation by practice, OHID Fingertips)",
    "qof": "Disease registers (Quality and Outcomes Framework)",
    "population_projection": "Population projections (ONS 2022-based national projections)",
}


def month_words(period: str | None) -> str | None:
    """``2026-07`` -> ``July 2026``; any other period label (``FY2025``) as it is; None or empty -> None.

    The one place a month code becomes words: the cards, the chart credits, the month choice."""
    if not period:
        return None
    if (m := _MONTH.fullmatch(period)) and 1 <= int(m.group(2)) <= 12:
        return f"{month_name[int(m.group(2))]} {m.group(1)}"
    return str(period)


def last_appointments_month(periods: Mapping[str, str | None]) -> str | None:
    """The latest month of appointments loaded: the end of the national series' range
    (``2023-06..2025-11`` -> ``2025-11``), else the practice-level month."""
    appointments = periods.get("subicb_appointments") or periods.get("appointments")
    return str(appointments).split("..")[-1] if appointments else None


def period_words(period: str | None) -> str:
    """A period code in words: ``2026-07`` July 2026, ``FY2025`` April 2024 to March 2025,
    ``2023-06..2025-11`` June 2023 to November 2025; anything else as it is."""
    if not period:
        return "not loaded"
    if m := _RANGE.fullmatch(period):
        return f"{period_words(m.group(1))} to {period_words(m.group(2))}"
    if (m := _MONTH.fullmatch(period)) and 1 <= int(m.group(2)) <= 12:
        return month_words(period) or period
    if m := _FY.fullmatch(period):
        end = int(m.group(1))
        return f"April {end - 1} to March {end}"
    if (m := _YEAR_PAIR.fullmatch(period)) and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        return f"April {m.group(1)} to March {int(m.group(1)) + 1}"
    return period


class DataDate(BaseModel):
    """One loaded dataset: its kind, plain name, period code and the period in words."""

    model_config = ConfigDict(frozen=True)

    kind: str
    name: str
    period: str | None
    words: str


def data_dates(version: DataVersion) -> list[DataDate]:
    """The periods of the datasets behind the figures, in the order of :data:`DATASET_NAMES`."""
    periods = version.data.periods
    return [
        DataDate(kind=kind, name=name, period=periods.get(kind), words=period_words(periods.get(kind)))
        for kind, name in DATASET_NAMES.items()
    ]
