"""Unit: local calibration factors worked by hand.

Expected 1,200 appointments a year at reference rates, need 0.5, scale 2, the month 1/12 of
a year: predicted month = 2 * 1,200 * 0.5 / 12 = 100. Observed 150 -> factor 1.5; 20 -> 0.2,
clipped up to 0.33; 500 -> 5, clipped down to 3; missing, zero or nothing predicted -> 1.
"""

from __future__ import annotations

import numpy as np

from gpworkforce.model.calibration import local_factors


def test_local_factors_one_practice() -> None:
    f = local_factors(np.array([150.0]), np.array([1200.0]), np.array([0.5]), 2.0, 1 / 12, 0.33, 3.0)
    np.testing.assert_allclose(f, [1.5])


def test_local_factors_many_practices_are_clipped_and_default_to_one() -> None:
    observed = np.array([150.0, 20.0, 500.0, np.nan, 0.0, 80.0])
    expected = np.array([1200.0, 1200.0, 1200.0, 1200.0, 1200.0, 0.0])
    f = local_factors(observed, expected, np.full(6, 0.5), 2.0, 1 / 12, 0.33, 3.0)
    np.testing.assert_allclose(f, [1.5, 0.33, 3.0, 1.0, 1.0, 1.0])
