"""Capacity standards: slots per FTE-week at today's throughput, at a safe-working limit.

Capacity can be set three ways: the reference slot parameters (``model.capacity``), what each
staff group actually delivered per FTE-week (throughput), or a safe-working limit. The
appointments data knows only two clinical groups (HCP type GP / Other Practice staff), so
throughput is fitted per group: booked appointments a week delivered by the group over FTE of
the group. Appointments with an unknown HCP type are shared between the groups pro rata to
their known appointments. Within the "other" group, roles keep their relative productivity
from the reference slots: every role of a group is scaled by the same factor, chosen so that
the group's modelled slots equal what it delivered. The fit is made for England and for each
ICB; a practice takes its own ICB's factor where that fit is usable and England's otherwise
(``practice_group_factor``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
WEEKS = 52.0


@dataclass(frozen=True)
class ThroughputFit:
    """Per staff group g (axis -1): delivered booked appointments a week, FTE, appointments per
    FTE-week, and the factor [-] that scales the group's reference slots to what it delivered."""

    delivered_week: Array
    fte: Array
    per_fte_week: Array
    factor: Array


def split_unknown(gp: Array, other: Array, unknown: Array) -> tuple[Array, Array]:
    """GP and other appointments with the unknown-HCP ones shared pro rata to the known ones
    (half each where nothing is known)."""
    gp, other, unknown = (np.asarray(x, dtype=float) for x in (gp, other, unknown))
    known = gp + other
    gp_share = np.where(known > 0, gp / np.where(known > 0, known, 1.0), 0.5)
    return gp + unknown * gp_share, other + unknown * (1.0 - gp_share)


def group_sums(by_role: Array, group_of_role: NDArray[np.intp], groups: int) -> Array:
    """Sum a [..., r] array into [..., g]; roles with group -1 (non-clinical) are left out."""
    by_role = np.asarray(by_role, dtype=float)
    onehot = np.zeros((by_role.shape[-1], groups))
    member = group_of_role >= 0
    onehot[np.flatnonzero(member), group_of_role[member]] = 1.0
    return by_role @ onehot


def fit_throughput(
    delivered_year: Array, fte: Array, reference_slots: Array, group_of_role: NDArray[np.intp]
) -> ThroughputFit:
    """Throughput by group from booked appointments a year [..., g], FTE [..., r] and reference
    slots per FTE-week [r]; ``...`` may be England (scalar) or one row per ICB. NaN where a
    group has no FTE or no reference slots."""
    groups = np.asarray(delivered_year).shape[-1]
    delivered = np.asarray(delivered_year, dtype=float) / WEEKS
    fte_g = group_sums(fte, group_of_role, groups)
    reference_g = group_sums(np.asarray(fte) * reference_slots, group_of_role, groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_fte = np.where(fte_g > 0, delivered / fte_g, np.nan)
        factor = np.where(reference_g > 0, delivered / reference_g, np.nan)
    return ThroughputFit(delivered_week=delivered, fte=fte_g, per_fte_week=per_fte, factor=factor)


def role_factor(group_factor: Array, group_of_role: NDArray[np.intp]) -> Array:
    """Per-role [..., r] multiplier of the reference slots from a per-group [..., g] factor
    (1 for roles outside every group and where the group's factor is unknown)."""
    group_factor = np.asarray(group_factor, dtype=float)
    picked = group_factor[..., np.maximum(group_of_role, 0)]
    return np.where((group_of_role >= 0) & np.isfinite(picked), picked, 1.0)


def usable_fit(factor: Array, fte: Array, min_fte: float) -> NDArray[np.bool_]:
    """Where a fitted group factor [..., g] can be used: finite, positive, and resting on at least
    ``min_fte`` FTE of the group [..., g] (a rate from a few FTE is mostly noise)."""
    factor, fte = np.asarray(factor, dtype=float), np.asarray(fte, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(factor) & (factor > 0) & (np.nan_to_num(fte) >= min_fte)


def uses_area_fit(usable: NDArray[np.bool_], area_of_practice: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Whether each practice takes its area's (ICB's) fit by group [p, g]: it has an area (not -1)
    and that area's fit is usable [i, g]."""
    usable = np.asarray(usable, dtype=bool)
    area = np.asarray(area_of_practice, dtype=np.intp)
    if usable.shape[0] == 0:
        return np.zeros((len(area), usable.shape[-1]), dtype=bool)
    return (area >= 0)[:, None] & usable[np.maximum(area, 0)]


def practice_group_factor(
    area_factor: Array, usable: NDArray[np.bool_], national_factor: Array, area_of_practice: NDArray[np.intp]
) -> Array:
    """Each practice's factor by group [p, g]: its area's (ICB's) factor [i, g] where that fit is
    usable [i, g], England's [g] where it is not or the practice has no area (-1)."""
    area_factor = np.asarray(area_factor, dtype=float)
    own = uses_area_fit(usable, area_of_practice)
    national = np.broadcast_to(np.asarray(national_factor, dtype=float), own.shape)
    if area_factor.shape[0] == 0:
        return national.copy()
    return np.where(own, area_factor[np.maximum(area_of_practice, 0)], national)


def working_days_per_fte_week(days_per_full_week: float, weeks_worked: Array) -> Array:
    """Working days per FTE per average week [r]: a full-time week's days over the weeks worked
    in a year, spread over 52 (e.g. 5 x 43 / 52 = 4.13 for a GP)."""
    return days_per_full_week * np.asarray(weeks_worked, dtype=float) / WEEKS


def safe_slots_per_fte_week(
    reference_slots: Array, contacts_per_day: Array, days_per_full_week: float, weeks_worked: Array
) -> Array:
    """Slots per FTE-week [r] at a safe-working limit: contacts a day x working days per
    FTE-week where a limit is given (finite ``contacts_per_day``), else the reference slots."""
    limit = np.asarray(contacts_per_day, dtype=float)
    days = working_days_per_fte_week(days_per_full_week, weeks_worked)
    return np.where(np.isfinite(limit), limit * days, np.asarray(reference_slots, dtype=float))


def split_group_rates(delivered: Array, fte: Array) -> Array:
    """Appointments per FTE-week of each of a group's roles [k], fitted across areas: ``delivered``
    [a] the group's booked appointments a week in each area, ``fte`` [a, k] each role's FTE there.

    Non-negative least squares, ``delivered ~ fte @ rates`` with no intercept: the areas' mix of
    roles is what separates the roles' rates when the data record only the group (the
    appointments data's "GP" covers qualified GPs, locums and registrars alike). Wide
    uncertainty when the mix varies little between areas, so it is a check, not a parameter.
    """
    from scipy.optimize import nnls  # lazy: 1.5 s of imports that a cached start never needs

    rates, _ = nnls(np.asarray(fte, dtype=np.float64), np.asarray(delivered, dtype=np.float64))
    return np.asarray(rates, dtype=np.float64)
