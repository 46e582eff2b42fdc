"""The typed scenario object: every lever a user can move, validated at the boundary.

Frozen, ``extra="forbid"`` so a misspelt lever is an error, never silently ignored. The
services convert it to model arrays (``gpworkforce.model.Levers``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from gpworkforce.nomenclature import ROLE_BY_CODE, ROLE_CODES

#: Bounds of the per-role levers (validated below, documented in the API). Slot lengths: 5 minutes
#: is about the shortest booked contact (a telephone call-back; GP face-to-face consultations
#: average 9.2 minutes, Hobbs et al. Lancet 2016, and current guidance is 15), 60 a long review;
#: below 5 a slot is no longer an appointment and the gap stops meaning anything (1 minute gave -836%).
MINUTES_RANGE: Final = (5.0, 60.0)
ADDED_FTE_RANGE: Final = (-10_000.0, 10_000.0)


def _panel(label: str, unit: str, step: float, low: float, high: float, hint: str) -> dict[str, Any]:
    """How a lever is presented: label, unit (``%`` = a fraction shown x100), slider step and range.

    The slider range (``panel_min``/``panel_max``) is the useful part of the valid range
    (``minimum``/``maximum``, from ``ge``/``le``); a share link or the API may use the rest.
    """
    return {"title": label, "unit": unit, "step": step, "panel_min": low, "panel_max": high, "hint": hint}


def _clinical_role(role: str) -> str:
    if role not in ROLE_BY_CODE or not ROLE_BY_CODE[role].clinical:
        raise ValueError(f"unknown clinical role {role!r}; expected one of {', '.join(ROLE_CODES)}")
    return role


def _role(role: str) -> str:
    if role not in ROLE_BY_CODE:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLE_CODES)}")
    return role


#: Role codes as dict keys: a bad key fails with ``loc`` (field, key, "[key]").
ClinicalRole = Annotated[str, AfterValidator(_clinical_role)]
Role = Annotated[str, AfterValidator(_role)]
#: Per-role values: a bad value fails with ``loc`` (field, role) and ``ctx`` ge/le.
Minutes = Annotated[float, Field(ge=MINUTES_RANGE[0], le=MINUTES_RANGE[1])]
#: The capacity standards (``--capacity-standard``); the default is stated on every output.
CapacityStandard = Literal["reference", "throughput", "safe"]
CAPACITY_STANDARDS: Final[tuple[str, ...]] = ("reference", "throughput", "safe")
DEFAULT_CAPACITY_STANDARD: Final = "reference"
AddedFte = Annotated[float, Field(ge=ADDED_FTE_RANGE[0], le=ADDED_FTE_RANGE[1])]


class Scenario(BaseModel):
    """Levers for one what-if run. Defaults reproduce today's baseline.

    The bounds of every lever are declared here once; the web panel and the API's documented
    parameters are derived from ``Scenario.model_fields``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int | None = Field(
        None,
        ge=2020,
        le=2050,
        description="Projection year; None = the patients file's year",
        json_schema_extra=_panel(
            "Year", "year", 1, 2026, 2040, "Project registered patients with ONS population projections by age and sex"
        ),
    )
    growth_rate: float | None = Field(
        None,
        ge=-0.05,
        le=0.10,
        description="Uniform population growth a year; None = ONS projection by age and sex",
        json_schema_extra=_panel(
            "Population growth a year (instead of ONS)", "%", 0.001, -0.02, 0.05, "Leave empty to use ONS projections"
        ),
    )
    shift_share: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Share of transferable GP work moved to other roles",
        json_schema_extra=_panel(
            "GP work moved to other roles",
            "%",
            0.05,
            0,
            1,
            "Share of the GP appointments others on the team could take (skills matrix) that they do take",
        ),
    )
    dna_rate: float | None = Field(
        None,
        ge=0.0,
        le=0.5,
        description="DNA rate to plan for (DNA / booked)",
        json_schema_extra=_panel(
            "Missed appointments (DNA rate)",
            "%",
            0.005,
            0,
            0.15,
            "Booked appointments not attended; fewer DNAs free slots",
        ),
    )
    minutes: dict[ClinicalRole, Minutes] = Field(
        default_factory=dict,
        description=f"Slot length by role [minutes], {MINUTES_RANGE[0]:g} to {MINUTES_RANGE[1]:g}",
    )
    added_fte: dict[Role, AddedFte] = Field(
        default_factory=dict,
        description=f"FTE added (or removed) by role, {ADDED_FTE_RANGE[0]:g} to {ADDED_FTE_RANGE[1]:g}",
    )
    demand_change: float = Field(
        0.0,
        ge=-0.5,
        le=1.0,
        description="Relative change in demand, e.g. -0.05",
        json_schema_extra=_panel(
            "Change in demand", "%", 0.01, -0.3, 0.3, "e.g. -5% for active signposting and self-care"
        ),
    )
    local_calibration: bool = Field(
        True,
        description="Scale each practice to its own appointment counts (practices with a loaded month; on by default)",
        json_schema_extra={
            "title": "Calibrate each practice to its own appointments",
            "hint": (
                "Scales a practice's demand to the appointments it recorded in the latest practice-level month, "
                "so its share of its sub-ICB follows what it actually does. On by default; it applies only to "
                "practices whose region's practice-level appointments file is loaded (the page says which)."
            ),
        },
    )
    subicb_calibration: bool = Field(
        True,
        description="Scale each sub-ICB's practices to the sub-ICB's appointments over the latest 12 months",
        json_schema_extra={
            "title": "Calibrate to each sub-ICB's appointments",
            "hint": (
                "Scales the practices of each sub-ICB so together they match the appointments the sub-ICB "
                "recorded over the latest 12 months of NHS England's national series. On by default; the series "
                "covers every sub-ICB in England."
            ),
        },
    )
    capacity_standard: CapacityStandard = Field(
        DEFAULT_CAPACITY_STANDARD,
        description=(
            "Capacity standard: reference (today's slot parameters, the default), throughput (appointments "
            "each staff group delivered per FTE-week in the practice's own ICB, national sub-ICB series) or safe "
            "(GPs 25 contacts a day)"
        ),
        json_schema_extra={
            "title": "Capacity standard",
            "hint": "What one FTE can offer a week: gap and capacity-to-demand are measured against it",
            "options": {
                "reference": "Reference slots (today's parameters)",
                "throughput": "Today's throughput (what each staff group delivered)",
                "safe": "Safe-working limit (GPs 25 contacts a day)",
            },
        },
    )

    def changed_fields(self) -> dict[str, str]:
        """The fields that differ from the baseline, as text (``{"added_fte.pharmacist": "1.5"}``).

        One spelling for every place a scenario is written down: the web's share links and
        saved-scenario links (``web.scenario_form.scenario_from_params`` reads it back) and the
        scenario lines of the workbooks the CLI and the web export. Per-role values are listed
        by role, all of them (even ones equal to today's); other fields only when changed.
        """
        out: dict[str, str] = {}
        base = Scenario()
        for name in Scenario.model_fields:
            value = getattr(self, name)
            if name in {"added_fte", "minutes"}:
                for role, number in sorted(value.items()):
                    out[f"{name}.{role}"] = f"{number:g}"
            elif value != getattr(base, name):
                out[name] = (
                    ("true" if value else "false")
                    if isinstance(value, bool)
                    else value
                    if isinstance(value, str)
                    else f"{value:g}"
                )
        return out


def load_sample_scenario(**overrides: Any) -> Scenario:
    """A realistic scenario for tests and docs: 2030, 20% of transferable GP work shifted."""
    base: dict[str, Any] = {"year": 2030, "shift_share": 0.2, "dna_rate": 0.04, "added_fte": {"pharmacist": 1.0}}
    return Scenario(**{**base, **overrides})


def scenario_json_schema() -> str:
    """The JSON Schema users and the API can validate scenario files against."""
    return json.dumps(Scenario.model_json_schema(), indent=2)
