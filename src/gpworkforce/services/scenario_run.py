"""Scenario -> model: levers from a scenario, one memoised model run per organisation, and the
pieces every report shares (organisation info, notes; projected patients come from the run).

Each report runs the model for the organisation's own practices (an ICB is ~300, not 6,139)
and reads off what it shows, so a practice, an ICB and England cost the same and always add up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from gpworkforce.model.demand import population_growth
from gpworkforce.model.engine import Levers, ModelInputs, ModelResult, run
from gpworkforce.nomenclature import AGE_BANDS, ROLE_BY_CODE, ROLE_CODES, SEXES
from gpworkforce.scenario import Scenario
from gpworkforce.services.calibrate import local_factors
from gpworkforce.services.organisations import Organisation
from gpworkforce.services.practice_fte import estimate_counts_note
from gpworkforce.services.provenance import fte_provenance
from gpworkforce.services.results import OrgInfo
from gpworkforce.services.standards import slot_factor, throughput_area_notes
from gpworkforce.services.versions import DataVersion

Array = NDArray[np.float64]
MONTHS = 12.0


def _projection_cube(version: DataVersion) -> tuple[dict[int, int], Array] | None:
    """ONS projection as {year: index} and an array [t, a, s], built once per version."""

    def build() -> tuple[dict[int, int], Array] | None:
        proj = version.data.projection
        if proj.empty:
            return None
        cube = proj.pivot_table(index="year", columns=["age_band", "sex"], values="population", aggfunc="sum")
        cube = cube.reindex(columns=pd.MultiIndex.from_product([AGE_BANDS, SEXES]), fill_value=0.0)
        years = {int(y): i for i, y in enumerate(cube.index)}
        return years, cube.to_numpy().reshape(len(years), len(AGE_BANDS), len(SEXES))

    return version.memoised("derived", "projection-cube", build)


def growth_factors(version: DataVersion, scenario: Scenario) -> tuple[Array | None, str | None]:
    """Population growth [a, s] from the base year to ``scenario.year`` and how it was made."""
    base_year = version.base_year
    if scenario.year is None or scenario.year == base_year:
        return None, None
    years = scenario.year - base_year
    cube = _projection_cube(version) if scenario.growth_rate is None else None
    if cube is not None and {base_year, scenario.year} <= set(cube[0]):
        index, arr = cube
        pair = arr[[index[base_year], index[scenario.year]]]
        return population_growth(pair, 0)[1], (
            f"population projected {base_year}->{scenario.year} by age and sex with ONS 2022-based national projections"
        )
    rate = (
        scenario.growth_rate
        if scenario.growth_rate is not None
        else version.reference.general["population_growth_rate"]
    )
    factor = (1.0 + rate) ** years
    return np.full((len(AGE_BANDS), len(SEXES)), factor), (
        f"population grown {rate:+.2%} a year for {years} years (uniform; user-set rate)"
    )


class ScenarioNotPossible(ValueError):
    """A scenario that cannot apply to this organisation (it removes more FTE than there are)."""


def _check_removals(fte: NDArray[np.float64], org: Organisation, added: Mapping[str, float]) -> None:
    """Refuse removing more FTE of a role than the organisation has, rather than flooring capacity
    at zero without saying so (every problem in one message)."""
    problems = []
    for role, change in sorted(added.items()):
        have = float(fte[org.rows, ROLE_CODES.index(role)].sum())
        if change < 0 and -change > have + 1e-9:
            problems.append(
                f"added_fte.{role} = {change:g} removes more {ROLE_BY_CODE[role].label} FTE than "
                f"{org.name} has ({have:,.1f}); the most that can be removed is {-have:,.1f}"
            )
    if problems:
        raise ScenarioNotPossible("; ".join(problems))


def _levers(version: DataVersion, org: Organisation, scenario: Scenario) -> tuple[Levers, list[str]]:
    nd, notes = version.data, []
    growth, note = growth_factors(version, scenario)
    if note:
        notes.append(note)
    minutes = None
    if scenario.minutes:
        minutes = version.calibration.params.minutes.copy()
        for role, m in scenario.minutes.items():
            minutes[ROLE_CODES.index(role)] = m
    added = None
    if scenario.added_fte:
        _check_removals(nd.fte, org, scenario.added_fte)
        weights = nd.practices["patients"].to_numpy() * org.mask
        weights = weights / weights.sum() if weights.sum() > 0 else weights
        vec = np.zeros(len(ROLE_CODES))
        for role, f in scenario.added_fte.items():
            vec[ROLE_CODES.index(role)] = f
        added = weights[:, None] * vec
        notes.append("added FTE is shared across the organisation's practices by list size")
    factor, _ = slot_factor(scenario.capacity_standard, version.reference, version.calibration.throughput)
    return Levers(
        growth=growth,
        shift_share=scenario.shift_share,
        dna_target=scenario.dna_rate,
        minutes=minutes,
        added_fte=added,
        demand_multiplier=1.0 + scenario.demand_change,
        slot_factor=factor,
    ), notes


def run_scenario(version: DataVersion, org: Organisation, scenario: Scenario) -> tuple[ModelResult, list[str]]:
    """Run the model for the practices of ``org`` (in national order) with the scenario's levers.

    Practices are independent in the model, so only the organisation's own are run and the
    result holds only those rows: index per-practice national arrays with ``org.rows`` to line
    up with it. Memoised per version, scenario and organisation (the version's ``runs`` memo):
    a page asks for demand, capacity, gap and children of the same scenario, which is one run.
    """
    result, notes = version.memoised(
        "runs", (scenario.model_dump_json(), org.code), lambda: _run(version, org, scenario)
    )
    return result, list(notes)


def _run(version: DataVersion, org: Organisation, scenario: Scenario) -> tuple[ModelResult, tuple[str, ...]]:
    nd, cal = version.data, version.calibration
    levers, notes = _levers(version, org, scenario)
    layer = cal.subicb if scenario.subicb_calibration else None
    local = None if layer is None else layer.factor
    if layer is not None:
        notes.append(layer.note)
    if scenario.local_calibration:
        own = int((np.isfinite(nd.observed_month) & (nd.observed_month > 0)).sum())
        local = local_factors(nd, cal, version.reference, subicb=layer is not None)
        within = ", within each sub-ICB's 12-month total" if layer is not None else ""
        notes.append(f"local calibration: {own:,} practices scaled to their own appointment counts{within}")
    rows = org.rows
    inputs = ModelInputs(
        patients=nd.patients[rows],
        covariates=cal.z[rows],
        fte=nd.fte_of(rows),
        local_factor=None if local is None else local[rows],
    )
    if levers.added_fte is not None:
        levers = replace(levers, added_fte=levers.added_fte[rows])
    if levers.slot_factor is not None and np.ndim(levers.slot_factor) == 2:  # per practice (throughput)
        levers = replace(levers, slot_factor=levers.slot_factor[rows])
    result = run(inputs, cal.params, levers)
    for value in vars(result).values():  # shared between requests: nobody may write into it
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
    return result, tuple(notes)


def org_info(version: DataVersion, org: Organisation) -> OrgInfo:
    """Level, code, name, practice count and parent codes (memoised per version)."""

    def build() -> OrgInfo:
        nd = version.data
        info: dict[str, object] = {
            "level": org.level,
            "code": org.code,
            "name": org.name,
            "label": org.label,
            "practices": int(org.mask.sum()),
        }
        for level in ("pcn", "sub_icb", "icb", "region"):
            if level != org.level and org.level not in ("england",):
                info[f"{level}_code"] = org.parent_code(nd, level)
        if org.note:
            info["note"] = org.note
        return OrgInfo.model_validate(info)

    return version.memoised("derived", ("org-info", org.code), build)


def common_notes(version: DataVersion) -> list[str]:
    """Where the patients and the calibration come from (every demand and gap report)."""
    nd, cal = version.data, version.calibration
    vol = cal.report.get("volume", {})
    notes = [f"registered patients: NHS England, Patients Registered at a GP Practice ({nd.periods.get('patients')})"]
    if isinstance(vol, dict) and vol.get("source") == "national sub-ICB series":
        notes.append(
            f"rates calibrated to {vol['appointments_per_year']:,.0f} appointments a year in England "
            f"(NHS England Appointments in General Practice, {vol['months']})"
        )
    spread = cal.report.get("uncategorised_share_spread_pro_rata")
    if isinstance(spread, float):
        notes.append(
            f"{spread:.1%} of appointments had no usable category (Inconsistent Mapping, Unmapped) "
            "and are spread pro rata over the mapped categories"
        )
    return notes


def standard_notes(version: DataVersion, org: Organisation, scenario: Scenario) -> list[str]:
    """Which capacity standard the figures use, what it rests on, and (for throughput) the ICB
    rates used: the organisation's ICB's own inside one ICB, all ICBs' for England or a region,
    with practices that fall back to England's rate counted. Every capacity, gap and by-level
    report carries them."""
    throughput = version.calibration.throughput
    _, notes = slot_factor(scenario.capacity_standard, version.reference, throughput)
    if scenario.capacity_standard == "throughput":
        icb = None
        if org.level not in ("england", "region"):
            icb = org.code if org.level == "icb" else org.parent_code(version.data, "icb")
        notes += throughput_area_notes(throughput, org.mask, icb)
    return notes


def fte_notes(version: DataVersion, org: Organisation) -> list[str]:
    """Where the FTE behind this organisation's capacity came from, in plain English: published,
    estimated and corrected counts (with who and when), then the national notes (memoised)."""

    def build() -> tuple[str, ...]:
        nd = version.data
        estimated = estimate_counts_note(nd.estimated_groups()[org.mask], nd.staff_groups)
        return (fte_provenance(version, org).text, *([estimated] if estimated else []), *nd.notes)

    return list(version.memoised("derived", ("fte-notes", org.code), build))
