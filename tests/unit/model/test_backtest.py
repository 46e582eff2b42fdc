"""Unit: the back-test predictions (the need model and the baselines it must beat), worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.backtest import (
    median_ratio,
    need_model_prediction,
    own_month_prediction,
    persistence,
    rate_per_patient,
    spread,
)


def test_rate_per_patient_is_a_ratio_of_totals_not_a_mean_of_rates() -> None:
    # practices: 600 appointments / 1,000 patients and 100 / 1,000 -> (600 + 100) / 2,000 = 0.35
    # (the mean of the two rates would be (0.6 + 0.1) / 2 = 0.35 too, so make them unequal in size)
    # 600 / 1,000 and 100 / 3,000 -> 700 / 4,000 = 0.175 (mean of rates: 0.3167)
    assert rate_per_patient(np.array([600.0, 100.0]), np.array([1000.0, 3000.0])) == pytest.approx(0.175)


def test_median_ratio_is_the_median_on_the_log_scale() -> None:
    # ratios 0.5, 2, 8 -> logs -0.693, 0.693, 2.079 -> median 0.693 -> exp = 2.0
    observed = np.array([50.0, 200.0, 800.0])
    expected = np.array([100.0, 100.0, 100.0])
    assert median_ratio(observed, expected) == pytest.approx(2.0)
    # an even count takes the geometric mean of the middle two: ratios 1 and 4 -> sqrt(4) = 2
    assert median_ratio(np.array([100.0, 400.0]), np.array([100.0, 100.0])) == pytest.approx(2.0)


def test_need_model_prediction_on_one_and_many_practices() -> None:
    # exp(ln 1.5) = 1.5; need index exp(0.2 x 1 + 0.1 x -2) = exp(0) = 1 -> 1.5 x 1,000 = 1,500
    coef = np.array([0.2, 0.1])
    one = need_model_prediction(float(np.log(1.5)), coef, np.array([1000.0]), np.array([[1.0, -2.0]]))
    np.testing.assert_allclose(one, [1500.0])
    # second practice: z = (1, 0) -> exp(0.2) = 1.2214 -> 1.5 x 2,000 x 1.2214 = 3,664.21
    many = need_model_prediction(
        float(np.log(1.5)), coef, np.array([1000.0, 2000.0]), np.array([[1.0, -2.0], [1.0, 0.0]])
    )
    np.testing.assert_allclose(many, [1500.0, 3000.0 * np.exp(0.2)])


def test_spread_shares_a_total_by_weight() -> None:
    """1,000 spread over weights 1, 3 and 0: 250, 750 and 0."""
    np.testing.assert_allclose(spread(1000.0, np.array([1.0, 3.0, 0.0])), [250.0, 750.0, 0.0])


def test_own_month_prediction_takes_shares_from_the_earlier_month_and_levels_from_base() -> None:
    # England's ratio of the months: (60 + 40 + 220) / (100 + 100 + 200) = 0.8 (the 4th has no month)
    # own factors: 60/80 = 0.75, 40/80 = 0.5, 220/160 = 1.375, 1 -> 75, 50, 275, 50
    # area 0 back to 200: x 200/125 -> 120, 80; area 1 back to 200 -> 200; unknown area keeps 50
    base = np.array([100.0, 100.0, 200.0, 50.0])
    earlier = np.array([60.0, 40.0, 220.0, np.nan])
    area = np.array([0, 0, 1, -1], dtype=np.intp)
    np.testing.assert_allclose(own_month_prediction(base, earlier, area, 0.5, 2.0), [120.0, 80.0, 200.0, 50.0])


def test_own_month_prediction_clips_a_month_with_a_recording_gap() -> None:
    # level 100/200 = 0.5; own 10/50 = 0.2 -> clipped to 0.5, 90/50 = 1.8 -> 50, 180
    # area back to 200: x 200/230 -> 43.478, 156.522 (unclipped it would be 20, 180)
    out = own_month_prediction(np.array([100.0, 100.0]), np.array([10.0, 90.0]), np.array([0, 0]), 0.5, 2.0)
    np.testing.assert_allclose(out, [200 * 50 / 230, 200 * 180 / 230])


def test_persistence_scales_the_earlier_month_by_englands_change() -> None:
    # 100 appointments in the earlier month, England 1,000 then and 1,100 now -> 110
    np.testing.assert_allclose(persistence(np.array([100.0, 0.0]), 1100.0, 1000.0), [110.0, 0.0])
