"""Workforce: FTE each practice can count on when the published tables do not say it directly.

Notation p practice, r role, n PCN (primary care network)::

    share[p]       = list_size[p] / sum_{q in pcn(p)} list_size[q]       [-]
    pcn_fte[p, r]  = share[p] * fte_of_pcn[pcn(p), r]                   [FTE]
    estimate[p, s] = list_size[p] / 1000 * median_{q in area(p), known} 1000 fte[q, s] / list_size[q]
    role_fte[p, r] = sum_s fte[p, s] * mix[s, r]                        [FTE]

PCN-employed staff serve all the network's patients, so each practice counts them in
proportion to its list. A staff group the workforce table leaves NA (or a practice it omits)
is estimated from the median FTE per 1,000 patients of the practices in the same sub-ICB
that have a value, else the ICB, else England: the staff are there, only their record is
not. Staff groups become roles by a fixed role mix (England's published mix, an estimate).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from gpworkforce.model.grouping import group_median, group_sum
from gpworkforce.model.ratios import share_of

Array = NDArray[np.float64]


def share_of_group_list(list_size: Array, group: NDArray[np.intp], n_groups: int) -> Array:
    """Each practice's share [p] of its group's registered list; 0 outside any group (index < 0)
    or in a group with no patients."""
    totals = group_sum(list_size, group, n_groups)
    in_group = group >= 0
    return share_of(list_size, np.where(in_group, totals[np.where(in_group, group, 0)], 0.0))


def pcn_fte_by_practice(fte_of_pcn: Array, group: NDArray[np.intp], list_size: Array) -> Array:
    """PCN-employed FTE [p, r] shared over practices by list size.

    ``fte_of_pcn`` [n, r] FTE each PCN employs; ``group`` [p] the practice's PCN index (-1 for
    none); ``list_size`` [p] registered patients.
    """
    share = share_of_group_list(list_size, group, fte_of_pcn.shape[0])
    # outside any PCN the share is 0, so which row stands in for "its PCN" there does not matter
    return fte_of_pcn[np.maximum(group, 0)] * share[:, None]


def estimate_missing_staff(
    fte: Array, known: NDArray[np.bool_], list_size: Array, areas: Sequence[NDArray[np.intp]]
) -> tuple[Array, NDArray[np.bool_]]:
    """FTE by staff group [p, s] with every unknown cell estimated, and which cells were.

    ``known`` [p, s] says where the workforce table has a value (NHS ``NA`` and absent rows
    are unknown; a published 0 is known). ``areas`` are area indices [p] from the narrowest
    (sub-ICB) to the widest (ICB); -1 for none. An unknown cell gets the median FTE per 1,000
    patients of the known practices (with a list) in its narrowest area that has any, else
    England's median, times its list. A staff group known nowhere stays 0 and unestimated.
    """
    out = np.array(fte, dtype=float)
    rated = known & (list_size > 0)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(rated, out * 1000.0 / list_size[:, None], np.nan)
    chosen = np.full(out.shape, np.nan)
    for area in (*areas, np.zeros(len(list_size), dtype=np.intp)):
        n = int(area.max()) + 1 if len(area) else 0
        for s in range(out.shape[1]):
            med = group_median(rate[:, s], area, n)
            here = np.where(area >= 0, med[np.maximum(area, 0)], np.nan) if n else np.full(len(area), np.nan)
            chosen[:, s] = np.where(np.isnan(chosen[:, s]), here, chosen[:, s])
    estimated = ~known & np.isfinite(chosen)
    out[estimated] = (chosen * list_size[:, None] / 1000.0)[estimated]
    return out, estimated


def split_staff_groups_by_practice(fte_staff: Array, mix: Array) -> Array:
    """FTE by role [p, r] from FTE by staff group [p, s] and each practice's own mix [p, s, r].

    ``fte[p, r] = sum_s fte_staff[p, s] * mix[p, s, r]``; as :func:`split_staff_groups` when every
    practice has the same mix, and, with each ``mix[p, s]`` summing to 1, it never adds or loses FTE.
    """
    return np.einsum("ps,psr->pr", np.asarray(fte_staff, dtype=float), np.asarray(mix, dtype=float))


def split_staff_groups(fte_staff: Array, mix: Array) -> Array:
    """FTE by role [p, r] from FTE by staff group [p, s] and each group's role mix [s, r].

    Each row of ``mix`` sums to 1 (a group with one role has a single 1), so every FTE is
    counted once: the split moves FTE between roles, never adds or loses any.
    """
    return np.asarray(fte_staff, dtype=float) @ np.asarray(mix, dtype=float)
