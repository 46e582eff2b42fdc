"""Capacity: appointment slots a week that staff FTE can offer.

``slots/week = FTE * hours_per_FTE * (weeks_worked / 52) * patient_facing_share * 60 / minutes``

Averaged over the whole year (leave and training are spread over 52 weeks) so that it can
be compared with demand per average week. Slots include those later lost to DNAs: demand
counts booked appointments, so DNAs are not subtracted on both sides. The slots patients
actually attend are ``slots * (1 - dna_rate)``, shown beside them for information.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def capacity_per_fte_week(hours_per_fte: float, weeks_worked: Array, patient_facing: Array, minutes: Array) -> Array:
    """Appointment slots per FTE per average week, by role [r]."""
    return hours_per_fte * (np.asarray(weeks_worked) / 52.0) * np.asarray(patient_facing) * 60.0 / np.asarray(minutes)


def appointments_per_week(fte: Array, per_fte: Array) -> Array:
    """Slots a week [..., r] from FTE [..., r] and slots per FTE-week [r] or [..., r]."""
    return np.asarray(fte) * per_fte


def fte_weighted_slots(slots_per_fte: Array, fte: Array) -> Array:
    """Slots per FTE-week by role [r] over practices, from slots per FTE-week [r] or [p, r] and
    FTE [p, r]: the FTE-weighted mean (capacity / FTE), so it times the FTE gives the capacity;
    the plain mean over practices for a role without FTE. [r] slots are returned as they are."""
    slots = np.asarray(slots_per_fte, dtype=float)
    if slots.ndim == 1:
        return slots
    fte = np.asarray(fte, dtype=float)
    total = fte.sum(axis=0)
    weighted = (fte * slots).sum(axis=0) / np.where(total > 0, total, 1.0)
    plain = slots.mean(axis=0) if slots.shape[0] else np.zeros(slots.shape[-1])
    return np.where(total > 0, weighted, plain)


def capacity_net_of_dna(capacity: Array, dna_rate: float | Array) -> Array:
    """Slots a week [...] patients attend: ``capacity`` [slots/week] less the DNA share [DNA / booked]."""
    return capacity * (1.0 - np.asarray(dna_rate))


def capacity_to_demand(capacity: Array, demand: Array) -> Array:
    """Slots per booked appointment [-] (1 = enough); NaN where there is no demand."""
    has_demand = np.asarray(demand) > 0
    return np.where(has_demand, capacity / np.where(has_demand, demand, 1.0), np.nan)
