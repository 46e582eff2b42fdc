"""Skill mix: who delivers each need category, and how much GP work others could take.

``skills[r, c]`` in [0, 1] is the share of category-c work now done by GPs that role r could
safely take. Where several roles are on the team their competencies are combined as a
union of independent chances, ``1 - prod_r (1 - skills[r, c])``, so a physiotherapist's
MSK work and a pharmacist's medication work add up rather than one masking the other.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
MIN_CAPACITY = 1e-9  # [slots/week]
BoolArray = NDArray[np.bool_]


def transferable_share(skills: Array, present: Array) -> Array:
    """Share of GP demand per category that the roles present could take.

    ``skills`` [r, c]; ``present`` [..., r] in {0, 1} saying which roles are on the team.
    GP roles must have skills 0 here. Returns [..., c]. Computed as
    ``1 - exp(present @ log(1 - skills))``, one matrix product instead of an [.., r, c] product.
    """
    log_keep = np.log1p(-np.minimum(skills, 1.0 - 1e-12))  # [r, c]
    return -np.expm1(np.asarray(present) @ log_keep)


def split_by_weight(demand: Array, weights: Array, capacity: Array) -> tuple[Array, Array]:
    """Split demand [..., c] over roles in proportion to ``weights[r, c] * capacity[..., r]``.

    Returns (by_role [..., r], unassigned [...]): demand in a category that no role on the
    team can take is kept as ``unassigned`` rather than silently dropped. Written as two
    matrix products: ``by_role = capacity * ((demand / (capacity @ weights)) @ weights.T)``.
    """
    total = capacity @ weights  # [..., c]
    covered = total > 0
    per_unit = np.where(covered, demand / np.where(covered, total, 1.0), 0.0)
    by_role = capacity * (per_unit @ weights.T)
    unassigned = np.where(covered, 0.0, demand).sum(axis=-1)
    return by_role, unassigned


def allocate(
    demand: Array,
    gp_share: Array,
    skills: Array,
    delivery_weight: Array,
    capacity: Array,
    gp_roles: BoolArray,
    shift_share: float | Array = 0.0,
) -> tuple[Array, Array, Array]:
    """Allocate appointments by category [..., c] to roles [..., r].

    GP work is ``demand * gp_share`` (the observed national split) shared among the GP
    roles by their capacity; the rest goes to the other clinical roles by
    ``delivery_weight * capacity``. ``shift_share`` moves that fraction of the GP work the
    team could take (``transferable_share``) to the other roles by ``skills * capacity``.
    Returns (by_role [..., r], unassigned [...], shifted [...]) in the units of ``demand``.
    """
    # Capacity below a billionth of a slot a week is no capacity (and would overflow the split).
    capacity = np.where(np.asarray(capacity) > MIN_CAPACITY, capacity, 0.0)
    gp_mask = gp_roles.astype(float)
    other_mask = 1.0 - gp_mask
    gp_work = demand * gp_share
    other_work = demand - gp_work
    present = (np.asarray(capacity) > 0).astype(float) * other_mask
    transferable = transferable_share(skills * other_mask[:, None], present)
    moved = np.asarray(shift_share)[..., None] * transferable * gp_work
    gp_work = gp_work - moved

    gp_capacity = np.asarray(capacity) * gp_mask
    # With no GP capacity at all the GP work still belongs to GPs: count it against "gp".
    no_gp = gp_capacity.sum(axis=-1, keepdims=True) <= 0
    fallback = np.zeros_like(gp_mask)
    fallback[int(np.argmax(gp_roles))] = 1.0
    gp_weights = np.where(no_gp, fallback, gp_capacity)
    gp_frac = gp_weights / gp_weights.sum(axis=-1, keepdims=True)
    by_role = gp_frac * gp_work.sum(axis=-1, keepdims=True)

    other_cap = np.asarray(capacity) * other_mask
    routine, unassigned = split_by_weight(other_work, delivery_weight * other_mask[:, None], other_cap)
    shifted, _ = split_by_weight(moved, skills * other_mask[:, None], other_cap)
    return by_role + routine + shifted, unassigned, moved.sum(axis=-1)


def delivery_weight(skills: Array, base_weight: float, other: Array) -> Array:
    """How other staff's own work in each category is split between roles [r, c].

    ``skills`` [r, c] plus a small ``base_weight`` [-] so that work in a category no role is
    specifically skilled for is still shared across the clinical team rather than left
    unassigned; ``other`` [r] is 1 for clinical roles that are not GPs, 0 otherwise.
    """
    return (skills + base_weight) * other[:, None]
