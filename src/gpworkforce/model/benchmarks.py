"""Benchmarks: staffing against list size, and where an organisation sits among its peers.

Notation p practice, r role, g staff group::

    fte_group[p, g]  = sum_{r in g} fte[p, r]                          [FTE]
    fte_per_1000[g]  = fte[g] / patients * 1000                         [FTE per 1,000 patients]
    patients_per_fte = patients / fte[g]                                [patients per FTE]
    percentile[g]    = 100 * #{pool practices with value < mine} / #pool   [%]
    fte_at_standard  = patients / 1000 * standard                      [FTE]
    fte_vs_standard  = fte - fte_at_standard                            [FTE; < 0 short of it]

The percentile counts strictly lower values, so a practice tied with every peer sits at 0,
and practices with no value (NaN) count in the pool but never below.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def staff_group_fte(fte: Array, group_of: NDArray[np.intp], n_groups: int) -> Array:
    """FTE [..., r] summed into staff groups [..., g]; ``group_of`` [r] is each role's group index."""
    onehot = np.zeros((len(group_of), n_groups))
    onehot[np.arange(len(group_of)), group_of] = 1.0
    return np.asarray(fte) @ onehot


def fte_per_1000(fte: Array, patients: float | Array) -> Array:
    """FTE per 1,000 registered patients [...]; NaN where there are no patients.

    ``fte`` [..., g] FTE; ``patients`` [...] or a scalar, broadcast against ``fte``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(patients > 0, fte / patients * 1000.0, np.nan)


def fte_at_standard(patients: float | Array, standard_per_1000: float) -> Array:
    """FTE a list of ``patients`` would have at ``standard_per_1000`` FTE per 1,000 patients [FTE]."""
    return np.asarray(patients, dtype=float) / 1000.0 * standard_per_1000


def fte_vs_standard(fte: float | Array, patients: float | Array, standard_per_1000: float) -> Array:
    """FTE above (+) or below (-) the standard [FTE]; NaN where the FTE is unknown."""
    return np.asarray(fte, dtype=float) - fte_at_standard(patients, standard_per_1000)


def patients_per_fte(fte: Array, patients: float | Array) -> Array:
    """Registered patients per FTE [...]; NaN where there is no FTE."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(fte > 0, patients / fte, np.nan)


def percentile_in_pool(pool: Array, value: Array) -> Array:
    """Share of the pool [n, ...] strictly below ``value`` [...], in percent [0, 100]."""
    return (pool < value).mean(axis=0) * 100.0
