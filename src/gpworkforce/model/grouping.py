"""Aggregation of per-practice arrays to organisations without a Python loop per practice."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def group_sum(
    values: NDArray[np.float64], groups: NDArray[np.intp], n_groups: int, axis: int = 0
) -> NDArray[np.float64]:
    """Sum ``values`` along ``axis`` into ``n_groups`` buckets given by ``groups``.

    ``groups[i]`` is the bucket of element ``i`` along ``axis``; a negative index drops the
    element (used for practices with no PCN). Uses one ``np.add.at`` call, so the cost is
    linear in the number of practices whatever the number of groups.
    """
    moved = np.moveaxis(np.asarray(values), axis, 0)
    keep = groups >= 0
    out = np.zeros((n_groups, *moved.shape[1:]))
    np.add.at(out, groups[keep], moved[keep])
    return np.moveaxis(out, 0, axis)
