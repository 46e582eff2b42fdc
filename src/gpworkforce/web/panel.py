"""The scenario panel of an organisation page: its controls, and the scenario in words."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.scenario import Scenario
from gpworkforce.web.context import Snapshot
from gpworkforce.web.formatting import fmt_lever, fmt_pct, lever_decimals
from gpworkforce.web.month_choice import MONTH_FIELD, MONTH_HINT, MONTH_LABEL, month_options
from gpworkforce.web.scenario_form import (
    CALIBRATION_SET,
    CALIBRATION_SWITCHES,
    LEVERS,
    OPTIONAL_LEVERS,
    PANEL_ROLES,
    STANDARD_HINT,
    STANDARD_LABEL,
    STANDARD_OPTIONS,
    Lever,
    ScenarioError,
    field_id,
)
from gpworkforce.web.views import OrgView


@dataclass
class Control:
    """One panel control, ready for the template."""

    name: str
    label: str
    kind: str  # select | range | text | checkbox
    value: str
    hint: str = ""
    display: str = ""
    minimum: float = 0.0
    maximum: float = 0.0
    step: float = 1.0
    unit: str = ""
    decimals: int = 0
    signed: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    toggle: dict[str, Any] | None = None
    placeholder: str = ""
    error: str | None = None
    checked: bool = False

    @property
    def id(self) -> str:
        return field_id(self.name)


def _raw_or(raw: Mapping[str, str], name: str, value: float | None) -> str:
    if name in raw:
        return str(raw[name])
    return "" if value is None else f"{value:g}"


def _switch_on(raw: Mapping[str, str], name: str, scenario: Scenario) -> bool:
    """A calibration checkbox as the user left it (also when another field was invalid)."""
    if name in raw:
        return str(raw[name]).strip().lower() in {"1", "true", "on", "yes"}
    if raw.get(CALIBRATION_SET):
        return False  # sent by the panel with the box unticked
    return bool(getattr(scenario, name))


def _float(text: str, default: float) -> float:
    try:
        return float(text)
    except ValueError:
        return default


def panel_controls(
    snap: Snapshot, raw: Mapping[str, str], scenario: Scenario, error: ScenarioError | None
) -> dict[str, list[Control]]:
    """The LEVERS (year select, sliders, capacity standard, month), the calibration switches and,
    under "More levers", extra FTE and slot minutes."""
    from_panel = bool(raw.get("panel"))
    levers: list[Control] = []
    for lever in LEVERS:
        levers.append(_lever_control(snap, lever, raw, scenario, from_panel))
    levers.append(
        Control(
            name="capacity_standard",
            label=STANDARD_LABEL,
            kind="select",
            value=str(raw.get("capacity_standard") or scenario.capacity_standard),
            hint=STANDARD_HINT,
            options=[
                (value, f"{text} (default)" if value == Scenario().capacity_standard else text)
                for value, text in STANDARD_OPTIONS.items()
            ],
        )
    )
    levers.append(
        Control(
            name=MONTH_FIELD,
            label=MONTH_LABEL,
            kind="select",
            value=str(raw.get(MONTH_FIELD) or "").strip(),
            hint=MONTH_HINT,
            options=[("", "No month (weekly figures only)"), *month_options(snap.version, scenario)],
        )
    )
    calibration = [
        Control(
            name=name,
            label=label,
            kind="checkbox",
            value="true",
            hint=hint,
            checked=_switch_on(raw, name, scenario),
        )
        for name, (label, hint) in CALIBRATION_SWITCHES.items()
    ]
    minutes_now = snap.role_minutes
    added = [
        Control(
            name=f"added_fte.{role}",
            label=ROLE_BY_CODE[role].label,
            kind="text",
            value=_raw_or(raw, f"added_fte.{role}", scenario.added_fte.get(role)),
        )
        for role in PANEL_ROLES
    ]
    minutes = [
        Control(
            name=f"minutes.{role}",
            label=f"{ROLE_BY_CODE[role].label} (now {minutes_now[role]:g} minutes)",
            kind="text",
            value=_raw_or(raw, f"minutes.{role}", scenario.minutes.get(role)),
            placeholder=f"{minutes_now[role]:g}",
        )
        for role in PANEL_ROLES
    ]
    groups = {"levers": levers, "calibration": calibration, "added": added, "minutes": minutes}
    if error is not None:
        messages = {problem.field: problem.message for problem in error.problems}
        for control in (c for group in groups.values() for c in group):
            control.error = messages.get(control.name, control.error)
    return groups


def dna_grid(rate: float, lever: Lever) -> tuple[float, float, float]:
    """Start, minimum and maximum of the DNA slider: a browser's range input only takes values
    ``min + k * step``, so the grid is shifted to pass through today's ``rate`` exactly."""
    k = math.floor((rate - lever.minimum) / lever.step + 1e-9)
    minimum = rate - k * lever.step
    maximum = rate + math.floor((lever.maximum - rate) / lever.step + 1e-9) * lever.step
    return rate, minimum, maximum


def _lever_control(
    snap: Snapshot, lever: Lever, raw: Mapping[str, str], scenario: Scenario, from_panel: bool
) -> Control:
    current = getattr(scenario, lever.name)
    if lever.name == "year":
        first = max(int(lever.minimum), snap.base_year)
        years = range(first, int(lever.maximum) + 1)
        chosen = raw.get("year") or str(current or snap.base_year)
        options = [(str(y), f"{y} (latest data)" if y == snap.base_year else str(y)) for y in years]
        return Control(lever.name, lever.label, "select", chosen, hint=lever.hint, options=options)
    toggle = None
    start = lever.default
    if lever.name in OPTIONAL_LEVERS:
        toggle_name = OPTIONAL_LEVERS[lever.name]
        checked = bool(raw.get(toggle_name)) if from_panel else current is not None
        label = (
            "Plan for a different DNA rate"
            if lever.name == "dna_rate"
            else "Use this growth rate instead of ONS projections"
        )
        toggle = {"name": toggle_name, "id": field_id(toggle_name), "label": label, "checked": checked}
        start = 0.0  # growth: none
    minimum, maximum, decimals = lever.minimum, lever.maximum, lever_decimals(lever)
    if lever.name == "dna_rate":
        # The slider starts at exactly the rate the model uses (so ticking the box alone changes
        # nothing) and steps from it: its grid is anchored on today's rate (3.78%, 4.28%, 4.78%...).
        start, minimum, maximum = dna_grid(snap.national_dna_rate, lever)
        decimals += 1
    exact = lever.name == "dna_rate"  # all digits: the start must be the model's rate to the last bit
    shown = float(current if current is not None else (start or 0.0))
    value_text = raw.get(lever.name) or (repr(shown) if exact else f"{shown:g}")
    value = _float(value_text, start or 0.0)
    return Control(
        name=lever.name,
        label=lever.label,
        kind="range",
        value=value_text,
        hint=lever.hint,
        display=fmt_pct(value, decimals, signed=lever.minimum < 0) if exact else fmt_lever(lever, value),
        minimum=minimum,
        maximum=maximum,
        step=lever.step,
        unit=lever.unit,
        decimals=decimals,
        signed=lever.minimum < 0,
        toggle=toggle,
    )


def describe_scenario(view: OrgView) -> list[str]:
    """The levers set in this scenario, in words, for the results heading."""
    s = view.scenario
    out = []
    if s.year:
        out.append(f"year {s.year}")
    lever = {lv.name: lv for lv in LEVERS}
    for name in ("shift_share", "dna_rate", "demand_change", "growth_rate"):
        value = getattr(s, name)
        if value is not None and value != lever[name].default:
            out.append(f"{lever[name].label}: {fmt_lever(lever[name], value)}")
    for role, fte in sorted(s.added_fte.items()):
        out.append(f"{fte:+g} FTE {ROLE_BY_CODE[role].label}")
    for role, m in sorted(s.minutes.items()):
        out.append(f"{m:g}-minute slots for {ROLE_BY_CODE[role].label}")
    if not s.local_calibration:
        out.append("no practice calibration")
    if not s.subicb_calibration:
        out.append("no sub-ICB calibration")
    if s.capacity_standard != Scenario().capacity_standard:
        out.append(f"{STANDARD_LABEL.lower()}: {STANDARD_OPTIONS[s.capacity_standard].lower()}")
    return out
