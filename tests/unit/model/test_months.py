"""Unit: working days, the seasonal fit and a month's share of its year, worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.months import (
    appointments_in_month,
    fit_seasonal_factors,
    month_shares,
    working_days,
    year_months,
)

HOLIDAYS_2026 = np.array(
    ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28"],
    dtype="datetime64[D]",
)


def test_working_days_by_hand() -> None:
    # November 2025: Saturday 1st, 30 days, no bank holiday -> 4 full weeks = 20
    assert working_days(np.array(["2025-11"], dtype="datetime64[M]"), HOLIDAYS_2026)[0] == 20
    days = working_days(year_months(2026), HOLIDAYS_2026)
    # December 2026: 23 weekdays less Christmas (Fri 25) and Boxing Day moved to Mon 28
    assert days[11] == 21
    # May 2026: 21 weekdays less two Mondays
    assert days[4] == 19
    assert days.sum() == 261 - 8  # 2026 has 261 weekdays, all 8 holidays on weekdays


def test_toy_year_shares_by_hand() -> None:
    days = np.full(12, 20.0)
    days[0] = 10.0
    factors = np.ones(12)
    factors[1] = 2.0
    # weights: 10*1 + 20*2 + 10 months * 20 = 250
    shares = month_shares(days, factors)
    assert shares[0] == pytest.approx(10 / 250)
    assert shares[1] == pytest.approx(40 / 250)
    assert shares[2] == pytest.approx(20 / 250)
    assert appointments_in_month(1000.0, days, factors, 2) == pytest.approx(160.0)


def test_twelve_months_add_up_to_the_year_for_many_practices() -> None:
    yearly = np.array([1200.0, 5000.0, 0.0])
    days = working_days(year_months(2026), HOLIDAYS_2026)
    factors = np.linspace(0.9, 1.1, 12)
    months = np.stack([appointments_in_month(yearly, days, factors, m) for m in range(1, 13)], axis=-1)
    assert months.shape == (3, 12)
    np.testing.assert_allclose(months.sum(axis=-1), yearly)
    # flat season and equal days: a twelfth each
    np.testing.assert_allclose(appointments_in_month(yearly, np.full(12, 20), np.ones(12), 5), yearly / 12)


def test_fit_recovers_a_season_under_a_trend() -> None:
    months = np.datetime64("2023-06", "M") + np.arange(30)
    days = working_days(months, HOLIDAYS_2026)
    season = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 1.0, 1.2, 1.1, 0.9])
    k = months.astype(np.int64) % 12
    appts = 1000.0 * days * season[k] * 1.01 ** np.arange(30)  # 1% growth a month
    factors = fit_seasonal_factors(months, appts, days)
    # factors are the season up to scale: ratios exact, trend not mistaken for season
    np.testing.assert_allclose(factors / factors[0], season / season[0], rtol=1e-9)
    mean_days = np.bincount(k, weights=days.astype(float)) / np.bincount(k)
    assert (mean_days * factors).sum() / mean_days.sum() == pytest.approx(1.0)


def test_fit_refuses_a_series_without_every_calendar_month() -> None:
    months = np.datetime64("2025-01", "M") + np.arange(11)
    with pytest.raises(ValueError, match=r"\[12\]"):
        fit_seasonal_factors(months, np.ones(11), np.full(11, 20.0))
