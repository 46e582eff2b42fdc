"""Unit: capacity formulas worked by hand (the practice of test_hand_worked.py).

GP slots    = 1 FTE * 37.5 h * 52/52 * 0.5 facing * 60 / 15 = 75 a week
nurse slots = 0.5 FTE * 37.5 h * 0.8 * 60 / 20 = 45 a week
net of 5% DNAs: 75 * 0.95 = 71.25 and 45 * 0.95 = 42.75
capacity to demand: 75 / 40 = 1.875 (GP), 45 / 60 = 0.75 (nurse)
"""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.capacity import (
    appointments_per_week,
    capacity_net_of_dna,
    capacity_per_fte_week,
    capacity_to_demand,
    fte_weighted_slots,
)


def test_slots_per_fte_and_per_week() -> None:
    per_fte = capacity_per_fte_week(37.5, np.array([52.0, 52.0]), np.array([0.5, 0.8]), np.array([15.0, 20.0]))
    np.testing.assert_allclose(per_fte, [75.0, 90.0])
    # 41.6 weeks worked of 52 is 80% of the slots
    assert capacity_per_fte_week(37.5, np.array([41.6]), np.array([0.5]), np.array([15.0]))[0] == pytest.approx(60)
    np.testing.assert_allclose(appointments_per_week(np.array([[1.0, 0.5], [2.0, 0.0]]), per_fte), [[75, 45], [150, 0]])


def test_capacity_net_of_dna() -> None:
    assert capacity_net_of_dna(np.float64(75.0), 0.05) == pytest.approx(71.25)
    np.testing.assert_allclose(capacity_net_of_dna(np.array([75.0, 45.0]), 0.05), [71.25, 42.75])
    # practices [p, 1] x DNA rates of two scenarios [2]
    by_rate = capacity_net_of_dna(np.array([[75.0], [45.0]]), np.array([0.0, 0.1]))
    np.testing.assert_allclose(by_rate, [[75, 67.5], [45, 40.5]])


def test_capacity_to_demand() -> None:
    out = capacity_to_demand(np.array([75.0, 45.0, 10.0]), np.array([40.0, 60.0, 0.0]))
    np.testing.assert_allclose(out[:2], [1.875, 0.75])
    assert np.isnan(out[2])
    assert capacity_to_demand(np.float64(45.0), np.float64(60.0)) == pytest.approx(0.75)


def test_fte_weighted_slots_over_practices() -> None:
    # GP: 1 FTE at 90 and 3 FTE at 70 -> (90 + 210) / 4 = 75; nurse: no FTE -> plain mean 45
    slots = np.array([[90.0, 40.0], [70.0, 50.0]])
    fte = np.array([[1.0, 0.0], [3.0, 0.0]])
    np.testing.assert_allclose(fte_weighted_slots(slots, fte), [75.0, 45.0])
    # it times the FTE gives the capacity
    assert fte_weighted_slots(slots, fte)[0] * 4.0 == pytest.approx(appointments_per_week(fte, slots)[:, 0].sum())
    # slots by role alone are returned as they are
    np.testing.assert_allclose(fte_weighted_slots(np.array([75.0, 90.0]), fte), [75.0, 90.0])
