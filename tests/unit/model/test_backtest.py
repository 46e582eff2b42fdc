"""Unit: the back-test predictions (the need model and the baselines it must beat), worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.backtest import median_ratio, need_model_prediction, rate_per_patient, spread


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
