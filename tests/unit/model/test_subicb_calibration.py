"""Unit: the sub-ICB calibration layer worked by hand.

Practices A and B are in area 0, C in area 1, D has no area (-1), E is in area 2.
Modelled a year: A 300, B 100 (area 0 total 400), C 50, D 70, E 40.
Published a year: area 0 500 -> A and B x 500/400 = 1.25 (A 375 + B 125 = 500);
area 1 40 -> C x 0.8; D keeps 1 (no area); area 2 has no published total (NaN) -> E keeps 1.
"""

from __future__ import annotations

import numpy as np

from gpworkforce.model.calibration import area_factors


def test_area_factors_make_each_area_match_its_published_total() -> None:
    predicted = np.array([300.0, 100.0, 50.0, 70.0, 40.0])
    area = np.array([0, 0, 1, -1, 2])
    target = np.array([500.0, 40.0, np.nan])
    f = area_factors(predicted, area, target)
    np.testing.assert_allclose(f, [1.25, 1.25, 0.8, 1.0, 1.0])
    np.testing.assert_allclose((predicted * f)[:2].sum(), 500.0)
    np.testing.assert_allclose((predicted * f)[2], 40.0)


def test_area_with_nothing_predicted_keeps_one() -> None:
    f = area_factors(np.array([0.0, 10.0]), np.array([0, 1]), np.array([100.0, 20.0]))
    np.testing.assert_allclose(f, [1.0, 2.0])


def test_practice_layer_composes_with_the_sub_icb_layer() -> None:
    """Practice layer relative to the sub-ICB-calibrated prediction: A predicted 100 a month before
    the sub-ICB layer, x1.25 after it = 125; A recorded 150 -> own factor 150/125 = 1.2, and the
    combined factor 1.25 x 1.2 = 1.5 reproduces A's own month whichever layer came first."""
    from gpworkforce.model.calibration import local_factors

    sub = np.array([1.25])
    own = local_factors(np.array([150.0]), np.array([1200.0]), np.array([0.5]) * sub, 2.0, 1 / 12, 0.33, 3.0)
    np.testing.assert_allclose(own, [1.2])
    np.testing.assert_allclose(sub * own, [1.5])
