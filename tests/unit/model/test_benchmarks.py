"""Unit: staffing ratios and the percentile among peers, worked by hand.

Roles [GP, locum, nurse, admin] in staff groups [GPs, nurses, admin] = [0, 0, 1, 2].
A practice of 3,000 patients with 1 GP, 0.5 locum, 2 nurse and 3 admin FTE:
  group FTE        = [1.5, 2, 3]
  FTE per 1,000    = [1.5, 2, 3] / 3,000 * 1,000 = [0.5, 0.667, 1.0]
  patients per FTE = 3,000 / [1.5, 2, 3] = [2,000, 1,500, 1,000]
Among peers at [0.4, 0.5, 0.6, 0.5] GP FTE per 1,000, a practice at 0.5 has one strictly
below it: 1 / 4 = 25th percentile (counting ties as below would give 75).
"""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model import benchmarks

GROUP_OF = np.array([0, 0, 1, 2], dtype=np.intp)
FTE = np.array([1.0, 0.5, 2.0, 3.0])


def test_staff_group_fte_one_and_many() -> None:
    np.testing.assert_allclose(benchmarks.staff_group_fte(FTE, GROUP_OF, 3), [1.5, 2.0, 3.0])
    many = benchmarks.staff_group_fte(np.stack([FTE, 2 * FTE]), GROUP_OF, 3)
    np.testing.assert_allclose(many, [[1.5, 2.0, 3.0], [3.0, 4.0, 6.0]])
    # a group with no role in it stays at zero
    np.testing.assert_allclose(benchmarks.staff_group_fte(FTE, GROUP_OF, 4), [1.5, 2.0, 3.0, 0.0])


def test_fte_per_1000_patients() -> None:
    fte = np.array([1.5, 2.0, 3.0])
    np.testing.assert_allclose(benchmarks.fte_per_1000(fte, 3000.0), [0.5, 2 / 3, 1.0])
    assert np.isnan(benchmarks.fte_per_1000(fte, 0.0)).all()
    # many practices: patients [p, 1] against FTE [p, g]; the empty list gives NaN
    many = benchmarks.fte_per_1000(np.stack([fte, fte]), np.array([[3000.0], [0.0]]))
    np.testing.assert_allclose(many[0], [0.5, 2 / 3, 1.0])
    assert np.isnan(many[1]).all()


def test_patients_per_fte() -> None:
    np.testing.assert_allclose(benchmarks.patients_per_fte(np.array([1.5, 2.0, 3.0]), 3000.0), [2000, 1500, 1000])
    out = benchmarks.patients_per_fte(np.array([0.0, 4.0]), np.array([3000.0, 2000.0]))
    assert np.isnan(out[0]) and out[1] == 500.0


def test_percentile_counts_strictly_lower_peers() -> None:
    pool = np.array([[0.4, 1.0], [0.5, 2.0], [0.6, 3.0], [0.5, np.nan]])
    np.testing.assert_allclose(benchmarks.percentile_in_pool(pool, np.array([0.5, 2.5])), [25.0, 50.0])
    # one staff group only, the lowest and the highest
    assert benchmarks.percentile_in_pool(pool[:, 0], np.float64(0.4)) == 0.0
    assert benchmarks.percentile_in_pool(pool[:, 0], np.float64(0.7)) == 100.0


def test_fte_against_a_standard_hand_worked() -> None:
    """Black Country 2017: 1,442,402 patients at 0.58 GP FTE per 1,000 need 836.593 FTE;
    681.6 FTE is 154.993 short. Broadcasts over organisations; unknown FTE stays unknown."""
    from gpworkforce.model.benchmarks import fte_at_standard, fte_vs_standard

    assert fte_at_standard(1_442_402, 0.58) == pytest.approx(836.59316)
    got = fte_vs_standard(np.array([681.6, np.nan, 2.0]), np.array([1_442_402, 1000, 0]), 0.58)
    assert got[0] == pytest.approx(681.6 - 836.59316)
    assert np.isnan(got[1]) and got[2] == 2.0
