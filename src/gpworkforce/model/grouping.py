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


def group_median(values: NDArray[np.float64], groups: NDArray[np.intp], n_groups: int) -> NDArray[np.float64]:
    """Median of ``values`` [p] within each of ``n_groups`` buckets; NaN for a bucket with none.

    Elements with a negative group or a non-finite value are left out. One sort, no loop per
    group: within the sorted run of each bucket the median sits at its middle position(s).
    """
    keep = (groups >= 0) & np.isfinite(values)
    v, g = values[keep], groups[keep]
    order = np.lexsort((v, g))
    v, g = v[order], g[order]
    counts = np.bincount(g, minlength=n_groups)[:n_groups]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    last = max(len(v) - 1, 0)
    lo = np.minimum(starts + np.maximum(counts - 1, 0) // 2, last)
    hi = np.minimum(starts + counts // 2, last)
    if len(v) == 0:
        return np.full(n_groups, np.nan)
    return np.where(counts > 0, (v[lo] + v[hi]) / 2.0, np.nan)
