"""Costs: what an appointment costs by role, and what moving GP work to other roles saves.

Notation r role, c need category. A role's cost per appointment counts its paid time that is
not patient-facing (reviews, admin, training), so it is the hourly cost of the slot divided by
the patient-facing share::

    cost[r]              = hourly_cost[r] * minutes[r] / 60 / patient_facing[r]      [GBP/appointment]
    gp_work[c]           = demand[c] * gp_share[c] / weeks                            [appointments/week]
    others_could_take[c] = gp_work[c] * (1 - prod_r (1 - skills[r, c]))               [appointments/week]
    other_cost[c]        = sum_r skills[r, c] * cost[r] / sum_r skills[r, c]         [GBP/appointment]

Moving that work frees ``others_could_take * gp_minutes / 60`` GP hours a week; a year of it
costs ``others_could_take * gp_cost * weeks`` at GP rates and ``sum_c others_could_take[c] *
other_cost[c] * weeks`` when the roles skilled for each category take it in proportion to their
skills.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gpworkforce.model.skillmix import transferable_share

Array = NDArray[np.float64]
#: A category no other role is skilled for has zero total skill; dividing by this keeps its
#: other-role cost at 0 instead of NaN (the work there is zero anyway).
MIN_TOTAL_SKILL = 1e-12


def cost_per_appointment(
    hourly_cost: Array, minutes: Array, patient_facing: Array, clinical: NDArray[np.bool_]
) -> Array:
    """Staff cost of one appointment by role [..., r] in GBP; 0 for non-clinical roles.

    ``hourly_cost`` [GBP per paid hour], ``minutes`` [minutes per slot], ``patient_facing``
    [share of paid hours in appointments], ``clinical`` [bool]; all [r] or broadcastable.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = hourly_cost * minutes / 60.0 / patient_facing
    return np.where(clinical, cost, 0.0)


def gp_work_by_category(demand_year: Array, gp_share: Array, weeks: float) -> Array:
    """GP appointments a week by category [..., c] from appointments a year [..., c].

    ``gp_share`` [c] is the share of each category GPs deliver; ``weeks`` [weeks/year].
    """
    return demand_year * gp_share / weeks


def gp_work_others_could_take(gp_work: Array, skills: Array, available: Array) -> Array:
    """GP appointments [..., c] that the ``available`` roles [r] (1 on the team, 0 not) could take.

    ``skills`` [r, c] share of GP work in c role r could take (0 for GP roles). Units follow
    ``gp_work`` (appointments/week in the reports).
    """
    return gp_work * transferable_share(skills, available)


def other_roles_cost_per_appointment(skills: Array, cost: Array) -> Array:
    """Cost of one appointment by category [c] when other roles take it in proportion to ``skills``.

    ``skills`` [r, c] (0 for GP roles), ``cost`` [r] GBP per appointment; a skills-weighted
    mean of the role costs, 0 where no role is skilled for the category.
    """
    weights = skills / np.maximum(skills.sum(axis=0), MIN_TOTAL_SKILL)
    return (weights * cost[:, None]).sum(axis=0)


def gp_hours(appointments: Array, gp_minutes: float) -> Array:
    """GP hours [h/week] that ``appointments`` [appointments/week] of ``gp_minutes`` take."""
    return appointments * gp_minutes / 60.0


def annual_cost_at_gp_rates(appointments_week: Array, gp_cost: float, weeks: float) -> Array:
    """Cost a year [GBP] of ``appointments_week`` [appointments/week] at ``gp_cost`` [GBP/appointment]."""
    return appointments_week * gp_cost * weeks


def annual_cost_by_other_roles(appointments_week: Array, other_cost: Array, weeks: float) -> Array:
    """Cost a year [GBP] of appointments by category [..., c] at other roles' cost [c]; sums over c."""
    return (appointments_week * other_cost).sum(axis=-1) * weeks
