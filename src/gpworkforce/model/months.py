"""Calendar months: working days, the seasonal profile and expected appointments in one month.

A month's share of a year's appointments is its working days times its seasonal factor, over
the same summed across the year's 12 months, so the months of a year add up to the year:

    appointments_in_month[m] = yearly * wd[m] * f[m] / sum_k(wd[k] * f[k])

The seasonal factor ``f[k]`` of calendar month ``k`` is appointments per working day in that
month relative to the year's average per working day, fitted on a monthly series by least
squares in logs with a linear trend, so growth over the series does not pass for season:

    log(appointments[t] / wd[t]) = b * t + s[month(t)]        f[k] = exp(s[k]) / mean_wd(exp(s))

where ``mean_wd`` is the mean weighted by each calendar month's working days (so a year of
average working days at the average rate has factor 1 per working day).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
MONTHS_PER_YEAR = 12


def working_days(months: NDArray[np.datetime64], holidays: NDArray[np.datetime64]) -> NDArray[np.int64]:
    """Monday-to-Friday days of each month ``[datetime64[M]]`` that are not in ``holidays`` [days]."""
    m = np.asarray(months, dtype="datetime64[M]")
    start = m.astype("datetime64[D]")
    end = (m + 1).astype("datetime64[D]")
    return np.busday_count(start, end, holidays=np.asarray(holidays, dtype="datetime64[D]")).astype(np.int64)


def year_months(year: int) -> NDArray[np.datetime64]:
    """The 12 months of ``year`` as ``datetime64[M]``."""
    return np.datetime64(f"{year:04d}-01", "M") + np.arange(MONTHS_PER_YEAR)


def fit_seasonal_factors(months: NDArray[np.datetime64], appointments: Array, days: ArrayLike) -> Array:
    """Seasonal factor [12] per calendar month (January first) from a monthly series.

    ``months`` [n] ``datetime64[M]`` (gaps allowed: the trend counts calendar months),
    ``appointments`` [n] [appointments/month], ``days`` [n] working days; every calendar
    month must appear at least once.
    """
    m = np.asarray(months, dtype="datetime64[M]").astype(np.int64)
    k = m % MONTHS_PER_YEAR
    missing = sorted(set(range(MONTHS_PER_YEAR)) - set(k.tolist()))
    if missing:
        raise ValueError(f"the series lacks calendar months {[i + 1 for i in missing]}: cannot fit a season")
    wd = np.asarray(days, dtype=float)
    rate = np.log(np.asarray(appointments, dtype=float) / wd)
    design = np.zeros((len(k), MONTHS_PER_YEAR + 1))
    design[:, 0] = (m - m.min()).astype(float)
    design[np.arange(len(k)), 1 + k] = 1.0
    coef, *_ = np.linalg.lstsq(design, rate, rcond=None)
    level = np.exp(coef[1:])
    mean_days = np.bincount(k, weights=wd, minlength=MONTHS_PER_YEAR) / np.bincount(k, minlength=MONTHS_PER_YEAR)
    return np.asarray(level / ((mean_days * level).sum() / mean_days.sum()), dtype=float)


def month_shares(days: ArrayLike, factors: Array) -> Array:
    """Share [..., 12] of a year's appointments in each month: ``wd * f / sum(wd * f)``."""
    weight = np.asarray(days, dtype=float) * np.asarray(factors, dtype=float)
    return np.asarray(weight / weight.sum(axis=-1, keepdims=True), dtype=float)


def appointments_in_month(yearly: ArrayLike, days: ArrayLike, factors: Array, month: int) -> Array:
    """Expected appointments [appointments/month] in calendar ``month`` (1-12) of a year whose
    appointments are ``yearly`` [appointments/year] (broadcasts over practices), with the year's
    working days ``days`` [12] and seasonal ``factors`` [12]."""
    return np.asarray(yearly, dtype=float) * month_shares(days, factors)[..., month - 1]
