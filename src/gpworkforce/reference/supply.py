"""Supply presets and flows (``supply_presets.csv``), every number with its source.

Rows are (preset, role, parameter, band, value): ``preset = all`` rows are shared flows (age
hazard, leaver rate, FTE drift, ageing, entry band, England age profile, parameter uncertainty,
route costs); a named preset adds a cohort (share retiring within some years from a first band).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.model.supply import SupplyParameters
from gpworkforce.reference import HERE

Array = NDArray[np.float64]

#: Roles the supply model projects (role codes of the nomenclature).
SUPPLY_ROLES: tuple[str, ...] = ("gp", "practice_nurse")
#: Age bands of the supply model: the GP workforce bands with a known age (no "unknown").
SUPPLY_BANDS: tuple[str, ...] = (
    "under_30", "30_34", "35_39", "40_44", "45_49", "50_54", "55_59", "60_64", "65_69", "70_plus",
)  # fmt: skip
PRESETS: tuple[str, ...] = ("calibrated", "hee-100", "hee-80", "worst-case", "nurse-qni")
DEFAULT_PRESET = "calibrated"
ROUTES: tuple[str, ...] = ("international", "returner", "retainer", "trainee")


@dataclass(frozen=True)
class SupplyReference:
    """Arrays of the shared flows [r, b] / [r] and the presets' sources, in SUPPLY_ROLES x SUPPLY_BANDS order."""

    table: pd.DataFrame
    hazard: Array
    leaver_rate: Array
    fte_drift: Array
    ageing: Array
    entry: Array
    age_profile: Array
    hazard_sigma: float
    leaver_cv: float
    route_cost: dict[str, float | None]

    def parameters(self, preset: str = DEFAULT_PRESET, uncertainty: bool = True) -> SupplyParameters:
        """The model's parameters for a preset (ValueError naming the presets for an unknown one)."""
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
        n_r, n_b = len(SUPPLY_ROLES), len(SUPPLY_BANDS)
        share, bands, years = np.zeros(n_r), np.zeros((n_r, n_b), dtype=bool), 0
        rows = self.table[self.table["preset"] == preset]
        for role, param, band, value in rows[["role", "parameter", "band", "value"]].itertuples(index=False):
            if role not in SUPPLY_ROLES:
                continue
            i = SUPPLY_ROLES.index(role)
            if param == "cohort_share":
                share[i] = float(value)
            elif param == "cohort_years":
                years = int(float(value))
            elif param == "cohort_from_band":
                bands[i, SUPPLY_BANDS.index(band) :] = True
        return SupplyParameters(
            hazard=self.hazard,
            leaver_rate=self.leaver_rate,
            ageing=self.ageing,
            fte_drift=self.fte_drift,
            cohort_share=share,
            cohort_bands=bands,
            cohort_years=years,
            hazard_sigma=self.hazard_sigma if uncertainty else 0.0,
            leaver_cv=self.leaver_cv if uncertainty else 0.0,
        )

    def sources(self, preset: str) -> list[str]:
        """The distinct sources of a preset's own rows and of the shared flows it uses."""
        rows = self.table[self.table["preset"].isin([preset, "all"])]
        return list(dict.fromkeys(rows["source"]))


@functools.cache
def load_supply_reference() -> SupplyReference:
    """Read ``supply_presets.csv`` once; every row must carry a source."""
    table = pd.read_csv(HERE / "supply_presets.csv", dtype=str, keep_default_na=False)
    missing = table.index[table["source"].str.strip() == ""]
    if len(missing):
        raise ValueError(f"supply_presets.csv: row {int(missing[0]) + 2}, column source: every row needs a source")
    n_r, n_b = len(SUPPLY_ROLES), len(SUPPLY_BANDS)
    grids = {p: np.zeros((n_r, n_b)) for p in ("hazard", "entry", "age_profile")}
    per_role = {p: np.zeros(n_r) for p in ("leaver_rate", "fte_drift")}
    scalars: dict[str, float] = {}
    costs: dict[str, float | None] = {}
    shared = table[table["preset"] == "all"]
    for role, param, band, value in shared[["role", "parameter", "band", "value"]].itertuples(index=False):
        if param in grids:
            grids[param][SUPPLY_ROLES.index(role), SUPPLY_BANDS.index(band)] = float(value)
        elif param in per_role:
            per_role[param][SUPPLY_ROLES.index(role)] = float(value)
        elif param == "route_cost":
            costs[band] = float(value) if value.strip() else None
        else:
            scalars[param] = float(value)
    ageing = np.full(n_b, scalars["ageing"])
    ageing[-1] = 0.0
    for name in ("entry", "age_profile"):
        totals = grids[name].sum(axis=1)
        if not np.allclose(totals, 1.0, atol=1e-6):
            raise ValueError(f"supply_presets.csv: column value: {name} shares of a role add up to {totals}, not 1")
    if not all(math.isfinite(v) for v in scalars.values()):
        raise ValueError("supply_presets.csv: column value: every scalar must be finite")
    return SupplyReference(
        table=table,
        hazard=grids["hazard"],
        leaver_rate=per_role["leaver_rate"],
        fte_drift=per_role["fte_drift"],
        ageing=ageing,
        entry=grids["entry"],
        age_profile=grids["age_profile"],
        hazard_sigma=scalars["hazard_sigma"],
        leaver_cv=scalars["leaver_cv"],
        route_cost=costs,
    )
