"""Shares and per-head rates as reports show them: 0, not an error, when the whole is empty."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def share_of(part: float | Array, whole: float | Array) -> Array:
    """``part / whole`` [...] (a share, or a rate per unit of ``whole``); 0 where ``whole`` <= 0.

    Used for the share of demand left as a gap, a category's share of appointments,
    appointments per patient and the share of GP work others could take.
    """
    positive = np.asarray(whole) > 0
    return np.where(positive, np.divide(part, np.where(positive, whole, 1.0)), 0.0)
