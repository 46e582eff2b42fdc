"""One model run: demand, skill mix, capacity and the weekly gap for many practices at once.

Inputs are arrays over practices (p), age bands (a), sexes (s), need categories (c),
roles (r) and need covariates (k), in the orders of :mod:`gpworkforce.nomenclature`.
It returns the projected patients as well, so callers never grow the population again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from gpworkforce.model.capacity import appointments_per_week, capacity_per_fte_week
from gpworkforce.model.costs import cost_per_appointment, gp_work_by_category, gp_work_others_could_take
from gpworkforce.model.demand import (
    age_sex_expected,
    dna_adjusted_bookings,
    need_index,
    projected_list_size,
    projected_patients,
)
from gpworkforce.model.skillmix import MIN_CAPACITY, allocate

Array = NDArray[np.float64]
WEEKS = 52.0


@dataclass(frozen=True)
class Parameters:
    """Model parameters, every array aligned with nomenclature orders.

    rates [a, s] reference appointments per person-year; scale [-] calibration of rates to
    the published volume; need_coefficients [k]; category_share [c] (sums to 1);
    gp_share [c] share of each category delivered by GPs; skills [r, c] share of GP work
    in c role r could take (0 for GP roles); delivery_weight [r, c] how other staff's work
    is split; hours_per_fte [h/week]; weeks_worked [r]; patient_facing [r] share of
    paid time in appointments; minutes [r] per appointment slot; hourly_cost [r] GBP per
    paid hour; dna_rate [-] DNA / booked; gp_roles [r] bool; clinical [r] bool.
    """

    rates: Array
    scale: float
    need_coefficients: Array
    category_share: Array
    gp_share: Array
    skills: Array
    delivery_weight: Array
    hours_per_fte: float
    weeks_worked: Array
    patient_facing: Array
    minutes: Array
    hourly_cost: Array
    dna_rate: float
    gp_roles: NDArray[np.bool_]
    clinical: NDArray[np.bool_]

    def slots_per_fte_week(self) -> Array:
        """Appointment slots per FTE per average week [r]; zero for non-clinical roles."""
        per = capacity_per_fte_week(self.hours_per_fte, self.weeks_worked, self.patient_facing, self.minutes)
        return np.where(self.clinical, per, 0.0)

    def cost_per_appointment(self) -> Array:
        """Staff cost of one appointment by role [GBP], counting non-patient-facing paid time."""
        return cost_per_appointment(self.hourly_cost, self.minutes, self.patient_facing, self.clinical)


@dataclass(frozen=True)
class ModelInputs:
    """Per-practice inputs: patients [p, a, s], covariates [p, k], fte [p, r], local_factor [p]."""

    patients: Array
    covariates: Array
    fte: Array
    local_factor: Array | None = None


@dataclass(frozen=True)
class Levers:
    """Scenario levers. Defaults reproduce the baseline.

    growth [a, s] population growth factors for the projected year; shift_share share of
    transferable GP work moved to other roles; dna_target DNA rate to plan for (None keeps
    the baseline); minutes [r] slot lengths replacing the reference (None keeps them);
    added_fte [p, r] extra FTE; demand_multiplier [-] e.g. self-care and signposting;
    slot_factor [r] or [p, r] multiplies slots per FTE-week (the capacity standard: a
    safe-working limit [r], or throughput at each practice's own ICB's rate [p, r], against the
    reference slots; None keeps the reference and costs nothing).
    """

    growth: Array | None = None
    shift_share: float = 0.0
    dna_target: float | None = None
    minutes: Array | None = None
    added_fte: Array | None = None
    demand_multiplier: float = 1.0
    slot_factor: Array | None = None


@dataclass(frozen=True)
class ModelResult:
    """Results per practice. Weekly figures are appointments per average week.

    patients [p, a, s] registered patients in the projected year; list_size [p] their sum;
    expected_year [p] age-sex expected at reference rates; need [p]; booked_year [p];
    demand_category_year [p, c]; demand_week [p, r]; unassigned_week [p] (no suitable role
    on the team); capacity_week [p, r]; gap_week [p, r] = demand - capacity; shifted_week [p]
    GP work moved to other roles by the shift lever; gp_share [c] share of each category GPs
    deliver and others_available [r] the roles counted as able to take GP work (every other
    clinical role), which :meth:`gp_work_others_could_take_week` uses.
    """

    patients: Array
    list_size: Array
    expected_year: Array
    need: Array
    booked_year: Array
    demand_category_year: Array
    demand_week: Array
    unassigned_week: Array
    capacity_week: Array
    gap_week: Array
    shifted_week: Array
    fte: Array  # [p, r] FTE the capacity rests on (inputs plus added FTE)
    slots_per_fte_week: Array  # [r], or [p, r] with a per-practice slot factor (model.capacity.fte_weighted_slots)
    gp_share: Array  # [c]
    skills: Array  # [r, c]
    others_available: Array  # [r] 1 for every clinical role other than GPs

    def gp_work_week(self) -> Array:
        """GP appointments a week by category [c], summed over the practices run."""
        return gp_work_by_category(self.demand_category_year.sum(axis=0), self.gp_share, WEEKS)

    def gp_work_others_could_take_week(self) -> Array:
        """GP appointments a week by category [c] that other clinical roles could take (skills
        matrix, every role available), summed over the practices run: the potential the shift
        lever draws on, whatever the lever's setting."""
        return gp_work_others_could_take(self.gp_work_week(), self.skills, self.others_available)

    def gp_work_team_could_take_week(self) -> Array:
        """GP appointments a week by category [c] that each practice's own team could take (only
        the clinical roles with capacity there), summed over the practices run: what the shift
        lever moves at 100%, so ``shift_share`` times it is the work moved by category and its
        sum is ``shifted_week.sum()``. Differs between organisations, unlike the every-role figure
        (every practice's category mix is England's)."""
        gp_work = gp_work_by_category(self.demand_category_year, self.gp_share, WEEKS)  # [p, c]
        present = self.others_available * (self.capacity_week > MIN_CAPACITY)  # [p, r]
        return gp_work_others_could_take(gp_work, self.skills, present).sum(axis=0)

    @property
    def total_gap_week(self) -> Array:
        """Total weekly gap [p]: all roles plus work no role on the team can take."""
        return self.gap_week.sum(axis=-1) + self.unassigned_week


def effective_parameters(params: Parameters, levers: Levers) -> Parameters:
    """Parameters with the lever overrides applied (slot lengths)."""
    if levers.minutes is None:
        return params
    return replace(params, minutes=np.asarray(levers.minutes))


def run(inputs: ModelInputs, params: Parameters, levers: Levers | None = None) -> ModelResult:
    """Run demand -> skill mix -> capacity -> gap for every practice in ``inputs``."""
    levers = levers or Levers()
    p = effective_parameters(params, levers)
    patients = projected_patients(inputs.patients, levers.growth)
    expected = age_sex_expected(patients, p.rates)
    need = need_index(inputs.covariates, p.need_coefficients)
    local = np.ones_like(expected) if inputs.local_factor is None else inputs.local_factor
    booked = p.scale * expected * need * local * levers.demand_multiplier
    if levers.dna_target is not None:
        booked = dna_adjusted_bookings(booked, p.dna_rate, levers.dna_target)
    demand_cat = booked[..., None] * p.category_share

    fte = inputs.fte if levers.added_fte is None else np.maximum(inputs.fte + levers.added_fte, 0.0)
    per_fte = p.slots_per_fte_week()
    if levers.slot_factor is not None:
        per_fte = per_fte * np.asarray(levers.slot_factor)
    capacity = appointments_per_week(fte, per_fte)

    weekly_cat = demand_cat / WEEKS
    by_role, unassigned, shifted = allocate(
        weekly_cat, p.gp_share, p.skills, p.delivery_weight, capacity, p.gp_roles, levers.shift_share
    )
    return ModelResult(
        patients=patients,
        list_size=projected_list_size(inputs.patients, levers.growth),
        expected_year=expected,
        need=need,
        booked_year=booked,
        demand_category_year=demand_cat,
        demand_week=by_role,
        unassigned_week=unassigned,
        capacity_week=capacity,
        gap_week=by_role - capacity,
        shifted_week=shifted,
        fte=fte,
        slots_per_fte_week=per_fte,
        gp_share=p.gp_share,
        skills=p.skills,
        others_available=(~p.gp_roles & p.clinical).astype(float),
    )
