"""The typed scenario object: every lever a user can move, validated at the boundary.

Frozen, ``extra="forbid"`` so a misspelt lever is an error, never silently ignored. The
services convert it to model arrays (``gpworkforce.model.Levers``).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gpworkforce.nomenclature import ROLE_BY_CODE, ROLE_CODES


class Scenario(BaseModel):
    """Levers for one what-if run. Defaults reproduce today's baseline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int | None = Field(None, ge=2020, le=2050, description="Projection year; None = the patients file's year")
    growth_rate: float | None = Field(
        None, ge=-0.05, le=0.10, description="Uniform population growth a year; None = ONS projection by age and sex"
    )
    shift_share: float = Field(0.0, ge=0.0, le=1.0, description="Share of transferable GP work moved to other roles")
    dna_rate: float | None = Field(None, ge=0.0, le=0.5, description="DNA rate to plan for (DNA / booked)")
    minutes: dict[str, float] = Field(default_factory=dict, description="Slot length by role [minutes]")
    added_fte: dict[str, float] = Field(default_factory=dict, description="FTE added (or removed) by role")
    demand_change: float = Field(0.0, ge=-0.5, le=1.0, description="Relative change in demand, e.g. -0.05")
    local_calibration: bool = Field(False, description="Scale each practice to its own appointment counts")

    @field_validator("minutes")
    @classmethod
    def _minutes(cls, v: dict[str, float]) -> dict[str, float]:
        for role, m in v.items():
            if role not in ROLE_BY_CODE or not ROLE_BY_CODE[role].clinical:
                raise ValueError(f"unknown clinical role {role!r}; expected one of {', '.join(ROLE_CODES)}")
            if not 1 <= m <= 120:
                raise ValueError(f"minutes for {role} must be between 1 and 120")
        return v

    @field_validator("added_fte")
    @classmethod
    def _added(cls, v: dict[str, float]) -> dict[str, float]:
        for role, f in v.items():
            if role not in ROLE_BY_CODE:
                raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLE_CODES)}")
            if not -10_000 <= f <= 10_000:
                raise ValueError(f"added FTE for {role} is out of range")
        return v


def load_sample_scenario(**overrides: Any) -> Scenario:
    """A realistic scenario for tests and docs: 2030, 20% of transferable GP work shifted."""
    base: dict[str, Any] = {"year": 2030, "shift_share": 0.2, "dna_rate": 0.04, "added_fte": {"pharmacist": 1.0}}
    return Scenario(**{**base, **overrides})


def scenario_json_schema() -> str:
    """The JSON Schema users and the API can validate scenario files against."""
    return json.dumps(Scenario.model_json_schema(), indent=2)
