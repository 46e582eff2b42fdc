"""Unit: the data-quality checks (model/quality.py), hand-worked."""

from __future__ import annotations

import numpy as np

from gpworkforce.model.quality import extreme_gap_share, extreme_patients_per_gp_fte


def test_patients_per_gp_fte_flags_only_values_above_the_limit() -> None:
    # 18,180 patients per GP FTE (a practice with 0.2 GP FTE for 3,636 patients) is flagged;
    # England's ~2,400 and the limit itself are not; NaN (no GP FTE) is shown as missing, not flagged
    values = np.array([18_180.0, 2_400.0, 6_000.0, 6_000.5, np.nan])
    np.testing.assert_array_equal(extreme_patients_per_gp_fte(values, 6_000.0), [True, False, False, True, False])


def test_gap_share_flags_both_tails_and_broadcasts() -> None:
    # -231%: capacity 3.31 times demand (demand 100, capacity 331) -> below -100%, flagged
    share = (100.0 - 331.0) / 100.0
    assert share == -2.31
    values = np.array([[share, -1.0, 0.0], [0.75, 0.76, np.nan]])
    np.testing.assert_array_equal(extreme_gap_share(values, -1.0, 0.75), [[True, False, False], [False, True, False]])
