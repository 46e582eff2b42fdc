"""Workforce: FTE each practice can count on when the published tables do not say it directly.

Notation p practice, r role, n PCN (primary care network)::

    share[p]       = list_size[p] / sum_{q in pcn(p)} list_size[q]       [-]
    pcn_fte[p, r]  = share[p] * fte_of_pcn[pcn(p), r]                   [FTE]
    estimate[p, r] = list_size[p] * sum_{q known} fte[q, r] / sum_{q known} list_size[q]   [FTE]

PCN-employed staff serve all the network's patients, so each practice counts them in
proportion to its list. A practice with no workforce record gets England's FTE per patient,
taken over the practices that have one.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gpworkforce.model.grouping import group_sum
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


def estimate_missing_fte(fte: Array, has_record: NDArray[np.bool_], list_size: Array) -> Array:
    """``fte`` [p, r] with practices lacking a record filled from England's FTE per patient.

    The rate is taken over practices with a record and a registered list; with none, the
    FTE are returned unchanged.
    """
    known = has_record & (list_size > 0)
    out = np.array(fte, dtype=float)
    if known.any():
        per_patient = out[known].sum(axis=0) / list_size[known].sum()
        out[~has_record] = list_size[~has_record, None] * per_patient
    return out
