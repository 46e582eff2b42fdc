"""The predictions a back-test compares: the need model against the simple baselines it must beat.

Why here: ``gpworkforce validate`` reports how well each predicts practices and sub-ICBs left
out of the fit, so each prediction is a formula users read figures from. Each takes the
training practices' figures and returns the rate to apply to the practices left out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gpworkforce.model.demand import need_index

Array = NDArray[np.float64]


def rate_per_patient(observed: Array, patients: Array) -> float:
    """Appointments per registered patient over the training practices [appointments/patient].

    The list-size baseline: a practice is predicted as this rate times its list size.
    """
    return float(np.sum(observed) / np.sum(patients))


def median_ratio(observed: Array, expected: Array) -> float:
    """Median of observed / expected over the training practices, taken on the log scale [-].

    The age-sex baseline: a practice is predicted as this ratio times its age-sex expected
    appointments. The median keeps a few practices with odd recording from setting the level.
    """
    return float(np.exp(np.median(np.log(observed / expected))))


def need_model_prediction(intercept: float, coefficients: Array, expected: Array, z: Array) -> Array:
    """The need model's prediction [p]: ``exp(intercept) x expected x need index``.

    ``expected`` [p] age-sex expected appointments, ``z`` [p, k] standardised covariates,
    ``coefficients`` [k] per standard deviation (see :func:`need_index`).
    """
    return np.exp(intercept) * expected * need_index(z, coefficients)


def spread(total: float, weight: Array) -> Array:
    """``total`` shared over areas or practices [g] in proportion to ``weight`` [g].

    Every out-of-time prediction is England's expected total for the month spread by some
    weight (list size, age-sex expected, need-weighted expected, last year's or last month's
    counts), so the predictors differ only in how they split England.
    """
    return np.asarray(total * weight / np.sum(weight), dtype=np.float64)


def own_month_prediction(base: Array, earlier: Array, area: NDArray[np.intp], lo: float, hi: float) -> Array:
    """The practice layer judged out of time [p]: each practice's share of its area taken from its
    own earlier month, the area's level kept from ``base``.

    ``base`` [p] the population + sub-ICB prediction for the judged month, ``earlier`` [p] the
    practice's appointments in an earlier month (NaN or 0 where it has none), ``area`` [p] its
    sub-ICB index (-1 unknown). As in the run (``local_factors`` then ``area_factors``): the own
    factor is ``earlier / base`` relative to England's ratio of the two months (so the month's
    level does not count against the clip), clipped to [lo, hi], 1 without an earlier month; each
    area is then brought back to its ``base`` total, so the earlier month sets only the share.
    """
    has = np.isfinite(earlier) & (earlier > 0) & (base > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = np.sum(earlier[has]) / np.sum(base[has]) if has.any() else 1.0
        own = np.where(has, np.clip(earlier / (base * level), lo, hi), 1.0)
    combined = base * own
    known = area >= 0
    n = int(area.max()) + 1 if known.any() else 0
    target = np.bincount(area[known], weights=base[known], minlength=n)
    got = np.bincount(area[known], weights=combined[known], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_area = np.where(got > 0, target / got, 1.0)
    return np.where(known, combined * per_area[np.where(known, area, 0)], combined)


def persistence(earlier: Array, level_now: float, level_then: float) -> Array:
    """The persistence baseline [p]: a practice's appointments in an earlier month times England's
    change between that month and the judged one (``level_now / level_then``)."""
    return np.asarray(earlier * (level_now / level_then), dtype=np.float64)
