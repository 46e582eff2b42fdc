"""Demand: registered patients x consultation rates, adjusted for need.

Formula (notation p practice, a age band, s sex, c need category)::

    expected[p]  = sum_{a,s} N[p,a,s] * rate[a,s]            [appointments/year at reference rates]
    need[p]      = exp(sum_k beta_k * z[p,k])                 [dimensionless, England mean ~1]
    D[p,c]       = scale * expected[p] * need[p] * share[c]   [appointments/year]

``scale`` calibrates the reference rates (QResearch 2008) to today's published appointment
volume; ``share`` splits appointments into NHS England's national categories.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gpworkforce.model.ratios import share_of

Array = NDArray[np.float64]


def age_sex_expected(patients: Array, rates: Array) -> Array:
    """Appointments a year expected from the age-sex mix alone.

    ``patients`` [..., a, s] registered patients; ``rates`` [a, s] appointments per
    person-year. Returns [...] appointments/year.
    """
    return np.einsum("...as,as->...", patients, rates)


def need_index(covariates: Array, coefficients: Array) -> Array:
    """Multiplicative need adjustment from standardised covariates.

    ``covariates`` [..., k] standardised (z-scores, 0 = England mean); ``coefficients`` [k]
    log-effects. Returns [...] multipliers (1 = England-average need).
    """
    if covariates.shape[-1] == 0:
        return np.ones(covariates.shape[:-1])
    return np.exp(covariates @ coefficients)


def dna_adjusted_bookings(booked: Array, dna_now: float | Array, dna_target: float | Array) -> Array:
    """Booked appointments needed when the DNA rate moves from ``dna_now`` to ``dna_target``.

    Attendances are what patients need; every DNA wastes a slot. With attendances fixed,
    ``booked_new = booked * (1 - dna_now) / (1 - dna_target)``. Rates are DNA / booked.
    """
    return booked * (1.0 - np.asarray(dna_now)) / (1.0 - np.asarray(dna_target))


def population_growth(projected: Array, base_index: int) -> Array:
    """Growth factors [t, a, s] relative to the base year from a projection [t, a, s]."""
    base = projected[base_index]
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = np.where(base > 0, projected / base, 1.0)
    return growth


def projected_patients(patients: Array, growth: Array | None = None) -> Array:
    """Registered patients [..., a, s] grown to the projected year by ``growth`` [a, s] (None: as now)."""
    return patients if growth is None else patients * growth


def projected_list_size(patients: Array, growth: Array | None = None) -> Array:
    """Registered patients [...] in the projected year: ``sum_{a,s} patients[..., a, s] * growth[a, s]``."""
    if growth is None:
        return patients.sum(axis=(-2, -1))
    return np.einsum("...as,as->...", patients, growth)


def appointments_by_age_band(patients: Array, rates: Array, booked: Array, expected: Array) -> Array:
    """Appointments a year by age band [a], summed over practices.

    Each practice's booked appointments [p] are split over its age-sex cells in proportion
    to the age-sex expectation ``patients[p, a, s] * rates[a, s]`` (``expected`` [p] is their
    sum), so the bands add up to the practices' booked total::

        by_age[a] = sum_{p,s} patients[p, a, s] * rates[a, s] * booked[p] / expected[p]

    ``patients`` [p, a, s] (pass ``[None]`` for one practice). Practices with no expected
    demand contribute nothing.
    """
    per_expected = share_of(booked, expected)
    return np.einsum("pas,as,p->a", patients, rates, per_expected)
