"""The scenario panel's fields, and conversion between query strings / forms and ``Scenario``.

One definition serves the sliders on every organisation page, share links (the scenario
is the query string), saved scenarios (stored as ``scenario_to_params`` JSON) and the API.
Units are the Scenario's own: shares and rates are fractions (0.3 = 30%).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.scenario import Scenario

#: Roles offered for "added FTE" and "slot minutes" on the panel (the rest via the API).
PANEL_ROLES: tuple[str, ...] = (
    "gp",
    "anp",
    "practice_nurse",
    "hca",
    "pharmacist",
    "physiotherapist",
    "paramedic",
    "physician_associate",
    "mental_health",
    "social_prescriber",
)


@dataclass(frozen=True)
class Lever:
    """One slider or input: the Scenario field it sets and how to present it."""

    name: str
    label: str
    minimum: float
    maximum: float
    step: float
    default: float | None
    unit: str  # "%" (shown x100), "year", "minutes", "FTE", "" ...
    hint: str


LEVERS: tuple[Lever, ...] = (
    Lever(
        "year",
        "Year",
        2026,
        2040,
        1,
        None,
        "year",
        "Project registered patients with ONS population projections by age and sex",
    ),
    Lever(
        "shift_share",
        "GP work moved to other roles",
        0,
        1,
        0.05,
        0.0,
        "%",
        "Share of the GP appointments others on the team could take (skills matrix) that they do take",
    ),
    Lever(
        "dna_rate",
        "Missed appointments (DNA rate)",
        0,
        0.15,
        0.005,
        None,
        "%",
        "Booked appointments not attended; fewer DNAs free slots",
    ),
    Lever(
        "demand_change", "Change in demand", -0.3, 0.3, 0.01, 0.0, "%", "e.g. -5% for active signposting and self-care"
    ),
    Lever(
        "growth_rate",
        "Population growth a year (instead of ONS)",
        -0.02,
        0.05,
        0.001,
        None,
        "%",
        "Leave empty to use ONS projections",
    ),
)


def _number(value: str, name: str) -> float | None:
    value = value.strip()
    if value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not a number") from None


def scenario_from_params(params: Mapping[str, Any]) -> Scenario:
    """Build a Scenario from query or form fields; raises ValueError naming the bad field.

    Fields: the Scenario's own names (``year``, ``shift_share``, ``dna_rate``,
    ``demand_change``, ``growth_rate``, ``local_calibration``) plus ``added_fte.<role>`` and
    ``minutes.<role>``. Empty values mean "not set". Unknown fields are refused.
    """
    fields: dict[str, Any] = {}
    added: dict[str, float] = {}
    minutes: dict[str, float] = {}
    for key, raw in params.items():
        if key in {"csrf_token", "name", "shared", "org", "format", "download", "scenario", "sort", "dir", "by"}:
            continue  # belong to the surrounding form, not the scenario
        value = str(raw)
        if key.startswith("added_fte."):
            role = key.split(".", 1)[1]
            number = _number(value, key)
            if number:
                added[role] = number
        elif key.startswith("minutes."):
            role = key.split(".", 1)[1]
            number = _number(value, key)
            if number is not None:
                minutes[role] = number
        elif key == "local_calibration":
            fields[key] = value.lower() in {"1", "true", "on", "yes"}
        elif key in Scenario.model_fields:
            number = _number(value, key)
            if number is not None:
                fields[key] = int(number) if key == "year" else number
        else:
            raise ValueError(f"{key}: not a scenario setting")
    try:
        return Scenario(**fields, added_fte=added, minutes=minutes)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "scenario"
        raise ValueError(f"{where}: {first['msg']}") from None


def scenario_to_params(scenario: Scenario) -> dict[str, str]:
    """The fields of a scenario that differ from the baseline, as strings (for links and storage)."""
    out: dict[str, str] = {}
    base = Scenario()
    for name in Scenario.model_fields:
        value = getattr(scenario, name)
        if name in {"added_fte", "minutes"}:
            for role, number in sorted(value.items()):
                out[f"{name}.{role}"] = f"{number:g}"
        elif value != getattr(base, name):
            out[name] = ("true" if value else "false") if isinstance(value, bool) else f"{value:g}"
    return out


def role_label(role: str) -> str:
    """Display label of a role code."""
    return ROLE_BY_CODE[role].label
