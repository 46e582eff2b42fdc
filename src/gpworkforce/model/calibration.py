"""Fitting the need adjustment and the volume scale to observed appointments.

The need model is log-linear, in the spirit of the Carr-Hill weighted list::

    log(observed[p] / expected[p]) = b0 + sum_k beta_k * z[p, k] + error

fitted by least squares with one pass of outlier trimming (practices whose recorded
appointments are implausible for their list, usually data-quality gaps, would otherwise
drag the fit). ``z`` are covariates standardised with England means and deviations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class NeedFit:
    """A fitted need model: intercept b0, coefficients [k], and the practices kept."""

    intercept: float
    coefficients: Array
    kept: NDArray[np.bool_]
    r_squared: float


def standardise(x: Array, mean: Array | None = None, sd: Array | None = None) -> tuple[Array, Array, Array]:
    """Z-scores of covariates [p, k]; missing values become 0 (the England mean)."""
    mean = np.nanmean(x, axis=0) if mean is None else mean
    sd = np.nanstd(x, axis=0) if sd is None else sd
    sd = np.where(sd > 0, sd, 1.0)
    z = (x - mean) / sd
    return np.nan_to_num(z, nan=0.0), mean, sd


def fit_need(observed: Array, expected: Array, z: Array, trim: float = 3.0) -> NeedFit:
    """Fit log(observed/expected) on z [p, k] with one robust trimming pass.

    Practices with no observed appointments or no expected demand are left out.
    """
    usable = (observed > 0) & (expected > 0)
    y = np.log(np.where(usable, observed, 1.0) / np.where(usable, expected, 1.0))
    x = np.column_stack([np.ones(len(y)), z])
    kept = usable.copy()
    beta = np.linalg.lstsq(x[kept], y[kept], rcond=None)[0]
    resid = y - x @ beta
    med = np.median(resid[kept])
    mad = 1.4826 * np.median(np.abs(resid[kept] - med))
    if mad > 0:
        kept &= np.abs(resid - med) <= trim * mad
        beta = np.linalg.lstsq(x[kept], y[kept], rcond=None)[0]
    resid = y[kept] - x[kept] @ beta
    r2 = 1.0 - resid.var() / y[kept].var() if y[kept].var() > 0 else 0.0
    return NeedFit(float(beta[0]), beta[1:], kept, float(r2))


def volume_scale(target_total: float, modelled_total: float) -> float:
    """Scale that makes the modelled total equal a published total."""
    if modelled_total <= 0:
        raise ValueError("modelled total must be positive to calibrate")
    return target_total / modelled_total


def accuracy(predicted: Array, observed: Array) -> dict[str, float]:
    """Correlation, median absolute percentage error and total ratio of predictions."""
    ok = observed > 0
    ape = np.abs(predicted[ok] / observed[ok] - 1.0)
    return {
        "n": float(ok.sum()),
        "correlation": float(np.corrcoef(predicted[ok], observed[ok])[0, 1]),
        "median_ape": float(np.median(ape)),
        "total_ratio": float(predicted[ok].sum() / observed[ok].sum()),
    }


def area_factors(predicted: Array, area: NDArray[np.intp], target: Array) -> Array:
    """Per-practice factor [p] making each area's modelled total equal its published total.

    ``predicted`` [p] modelled appointments a year, ``area`` [p] the index of each practice's
    area in ``target`` (-1 where the practice has no published area), ``target`` [g] the
    area's published appointments over the same year. Every practice of area ``g`` gets
    ``target[g] / sum(predicted of g)``; 1 where the area is unknown, has no published
    total or nothing is predicted, so those practices keep the England-level figure.
    """
    known = area >= 0
    totals = np.bincount(area[known], weights=predicted[known], minlength=len(target))
    with np.errstate(divide="ignore", invalid="ignore"):
        per_area = np.where((totals > 0) & np.isfinite(target) & (target > 0), target / totals, 1.0)
    return np.where(known, per_area[np.where(known, area, 0)], 1.0)


def local_factors(
    observed_month: Array,
    expected: Array,
    need: Array,
    scale: float,
    month_share: float,
    lo: float,
    hi: float,
) -> Array:
    """Per-practice factor [p] making the model match the practice's own month of appointments.

    ``predicted_month = scale * expected * need * month_share`` [appointments/month], with
    ``expected`` [p] age-sex expected appointments a year at reference rates, ``need`` [p] the
    need index and ``month_share`` [-] the month's share of a year. The factor is
    ``observed_month / predicted_month``, 1 where either is missing or not positive, clipped
    to [lo, hi] so a month with a recording gap cannot dominate.
    """
    predicted_month = scale * expected * need
    predicted_month = predicted_month * month_share
    obs = observed_month
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(np.isfinite(obs) & (obs > 0) & (predicted_month > 0), obs / predicted_month, 1.0)
    return np.clip(f, lo, hi)
