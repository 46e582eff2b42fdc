"""Data-quality checks: figures so far from any real practice that the inputs are more likely
wrong (FTE missing or mis-recorded, appointments not recorded) than the practice unusual.

Notation p any leading axes (practices, organisations)::

    check_patients_per_gp_fte[p] = patients_per_gp_fte[p] > max_patients_per_gp_fte     (NaN: no check)
    check_gap[p]                 = gap_share[p] < min_gap_share or gap_share[p] > max_gap_share

A flagged figure is still shown; the flag asks the reader to check the data behind it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def extreme_patients_per_gp_fte(patients_per_gp_fte: Array, max_patients_per_gp_fte: float) -> BoolArray:
    """True where patients per GP FTE [patients/FTE] exceed the limit (NaN, no GP FTE, is not flagged
    here: it is shown as missing)."""
    values = np.asarray(patients_per_gp_fte, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (values > max_patients_per_gp_fte)


def extreme_gap_share(gap_share: Array, min_gap_share: float, max_gap_share: float) -> BoolArray:
    """True where the gap as a share of demand [-] is below ``min_gap_share`` (capacity far beyond
    booked demand) or above ``max_gap_share`` (demand far beyond capacity)."""
    values = np.asarray(gap_share, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & ((values < min_gap_share) | (values > max_gap_share))
