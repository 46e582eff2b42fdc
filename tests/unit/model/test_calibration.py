"""Unit: the need fit, standardisation, volume scale and accuracy, on data worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.calibration import accuracy, fit_need, standardise, volume_scale


def test_standardise_uses_england_mean_and_sd_and_zeroes_unknowns() -> None:
    # column 0: mean 3, population SD sqrt(8/3); column 1: mean 20, SD 10 (NaN left out); column 2 constant
    x = np.array([[1.0, 10.0, 2.0], [3.0, np.nan, 2.0], [5.0, 30.0, 2.0]])
    z, mean, sd = standardise(x)
    np.testing.assert_allclose(mean, [3.0, 20.0, 2.0])
    np.testing.assert_allclose(sd, [np.sqrt(8 / 3), 10.0, 1.0])  # a constant column keeps SD 1, not 0
    np.testing.assert_allclose(z[:, 0], [-2 / np.sqrt(8 / 3), 0.0, 2 / np.sqrt(8 / 3)])
    np.testing.assert_allclose(z[:, 1], [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(z[:, 2], 0.0)
    # given England's mean and SD, one practice at 25 is half an SD above
    z1, _, _ = standardise(np.array([[25.0]]), np.array([20.0]), np.array([10.0]))
    assert z1[0, 0] == 0.5


def test_fit_need_recovers_a_log_linear_need_and_trims_an_outlier() -> None:
    # log(observed / expected) = 0.1 + 0.2 z + noise of +-0.01; practice 5 records 7x too much
    z = np.arange(-5.0, 6.0)[:, None]
    noise = np.where(np.arange(11) % 2 == 0, 0.01, -0.01)
    y = 0.1 + 0.2 * z[:, 0] + noise
    y[5] += np.log(7.0)
    expected = np.full(11, 1000.0)
    observed = expected * np.exp(y)
    observed[0] = 0.0  # no appointment data: left out
    fit = fit_need(observed, expected, z)
    assert fit.intercept == pytest.approx(0.1, abs=0.01)
    assert fit.coefficients[0] == pytest.approx(0.2, abs=0.005)
    assert not fit.kept[0] and not fit.kept[5] and fit.kept[1:5].all() and fit.kept[6:].all()
    assert 0.99 < fit.r_squared < 1.0


def test_fit_need_exact_data_keeps_everyone() -> None:
    z = np.array([[-1.0], [0.0], [1.0], [2.0]])
    observed = 100.0 * np.exp(0.3 - 0.5 * z[:, 0])
    fit = fit_need(observed, np.full(4, 100.0), z)
    assert fit.intercept == pytest.approx(0.3) and fit.coefficients[0] == pytest.approx(-0.5)
    assert fit.kept.all() and fit.r_squared == pytest.approx(1.0)


def test_volume_scale() -> None:
    assert volume_scale(1200.0, 1000.0) == 1.2
    with pytest.raises(ValueError, match="positive"):
        volume_scale(1200.0, 0.0)


def test_accuracy_on_practices_with_observations() -> None:
    # practices 1-2 observed: errors +10% and -10%; practice 3 has no observation and is left out
    out = accuracy(np.array([110.0, 45.0, 7.0]), np.array([100.0, 50.0, 0.0]))
    assert out["n"] == 2.0
    assert out["median_ape"] == pytest.approx(0.1)
    assert out["total_ratio"] == pytest.approx(155 / 150)
    assert out["correlation"] == pytest.approx(1.0)


def test_fit_need_r_squared_and_who_takes_part() -> None:
    """The trimmed fit above keeps 9 practices (z = -4..5 without 0): residuals +-0.01 (variance
    about 1e-4) against log-ratios of variance 0.3675, so r^2 = 1 - 1e-4 / 0.3675 = 0.99974.
    Expected demand below 1 still counts; no expected demand (0) or a 0 fit target does not, and
    a practice left out is never let back in by the trimming pass even when it sits on the line."""
    z = np.concatenate([np.arange(-5.0, 6.0), [-0.5, 1.0]])[:, None]
    noise = np.where(np.arange(13) % 2 == 0, 0.01, -0.01)
    y = 0.1 + 0.2 * z[:, 0] + noise
    y[5] += np.log(7.0)
    expected = np.full(13, 0.5)
    observed = expected * np.exp(y)  # between 0.09 and 1.6 appointments
    observed[0] = 0.0
    observed[11] = 0.0  # no data, and its log-ratio (0) lies on the fitted line at z = -0.5
    expected[12] = 0.0  # no expected demand but some observed
    fit = fit_need(observed, expected, z)
    assert fit.r_squared == pytest.approx(0.99974, abs=2e-5)
    assert fit.kept.sum() == 9 and not fit.kept[[0, 5, 11, 12]].any()


def test_fit_need_flat_data_has_r_squared_zero() -> None:
    fit = fit_need(np.full(4, 50.0), np.full(4, 100.0), np.zeros((4, 1)))
    assert fit.r_squared == 0.0 and fit.intercept == pytest.approx(np.log(0.5))


def test_standardise_keeps_a_small_sd() -> None:
    z, _, sd = standardise(np.array([[0.0], [1.0]]))  # mean 0.5, SD 0.5
    assert sd[0] == 0.5
    np.testing.assert_allclose(z[:, 0], [-1.0, 1.0])


def test_volume_scale_below_one_and_message() -> None:
    assert volume_scale(1.0, 0.5) == 2.0
    with pytest.raises(ValueError, match=r"^modelled total must be positive to calibrate$"):
        volume_scale(1.0, -1.0)


def test_accuracy_counts_small_observations_and_imperfect_correlation() -> None:
    # observed [0.5, 1, 2], predicted [1, 1, 2]: APE [1, 0, 0] -> median 0; total 4 / 3.5
    out = accuracy(np.array([1.0, 1.0, 2.0]), np.array([0.5, 1.0, 2.0]))
    assert out["n"] == 3.0 and out["median_ape"] == 0.0
    assert out["total_ratio"] == pytest.approx(4 / 3.5)
    assert out["correlation"] == pytest.approx(np.corrcoef([1.0, 1.0, 2.0], [0.5, 1.0, 2.0])[0, 1])
    assert out["correlation"] < 0.99


def test_trimming_threshold_is_three_robust_sds() -> None:
    """Intercept-only fit: ten log-ratios at -0.2, -0.1, 0, 0.1, 0.2 (twice) and one at 0.46.
    First fit: mean 0.0418, residuals' median -0.0418, median absolute deviation 0.1, so one
    robust SD is 1.4826 * 0.1 = 0.148 and the last practice sits 0.46 / 0.148 = 3.1 SDs out:
    beyond 3 (trimmed), within 3.25. After trimming the intercept is the mean of the ten, 0."""
    y = np.array([-0.2, -0.1, 0.0, 0.1, 0.2] * 2 + [0.46])
    expected = np.full(11, 100.0)
    fit = fit_need(expected * np.exp(y), expected, np.zeros((11, 1)))
    assert fit.kept[:10].all() and not fit.kept[10]
    assert fit.intercept == pytest.approx(0.0, abs=1e-12)
    assert fit_need(expected * np.exp(y), expected, np.zeros((11, 1)), trim=3.25).kept.all()


def test_no_trimming_when_most_practices_fit_exactly() -> None:
    """Four of five log-ratios are equal: the median absolute deviation is 0, and a zero spread
    says nothing about outliers, so every practice is kept."""
    y = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    expected = np.full(5, 100.0)
    fit = fit_need(expected * np.exp(y), expected, np.zeros((5, 1)))
    assert fit.kept.all() and fit.intercept == pytest.approx(0.2)
