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
