"""Unit: projected patients and demand by age band, worked by hand.

Two age bands x two sexes. Practice 1: 100 girls in band 0 (rate 10) and 200 men in band 1
(rate 21): expected 100*10 + 200*21 = 5,200; booked 5,720 (x1.1 for need).
  by age band = [100*10*1.1, 200*21*1.1] = [1,100, 4,620]
Practice 2: 50 girls in band 0, expected 500, booked 1,000 (x2): adds 50*10*2 = 1,000 to band 0.
Practice 3 has no expected demand: it adds nothing.
Grown by 10% in every cell, practice 1 has 330 patients.
"""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.demand import (
    appointments_by_age_band,
    dna_adjusted_bookings,
    population_growth,
    projected_list_size,
    projected_patients,
)

RATES = np.array([[10.0, 1.0], [1.0, 21.0]])


def _practice(girls: float, men: float) -> np.ndarray:
    return np.array([[girls, 0.0], [0.0, men]])


def test_projected_patients_and_list_size() -> None:
    one = _practice(100, 200)
    growth = np.full((2, 2), 1.1)
    assert projected_patients(one) is one
    np.testing.assert_allclose(projected_patients(one, growth), _practice(110, 220))
    assert projected_list_size(one) == 300.0
    assert projected_list_size(one, growth) == pytest.approx(330.0)
    growth[1, 1] = 1.5  # men in band 1 grow by half: 100 + 300
    many = np.stack([one, _practice(50, 0)])
    np.testing.assert_allclose(projected_list_size(many), [300.0, 50.0])
    np.testing.assert_allclose(projected_list_size(many, growth), [110 + 300, 55])


def test_appointments_by_age_band_one_practice() -> None:
    by_age = appointments_by_age_band(_practice(100, 200)[None], RATES, np.array([5720.0]), np.array([5200.0]))
    np.testing.assert_allclose(by_age, [1100.0, 4620.0])


def test_appointments_by_age_band_many_practices_add_up_to_booked() -> None:
    patients = np.stack([_practice(100, 200), _practice(50, 0), _practice(0, 0)])
    booked = np.array([5720.0, 1000.0, 7.0])
    by_age = appointments_by_age_band(patients, RATES, booked, np.array([5200.0, 500.0, 0.0]))
    np.testing.assert_allclose(by_age, [2100.0, 4620.0])
    assert by_age.sum() == pytest.approx(booked[:2].sum())


def test_population_growth_and_dna_bookings() -> None:
    projected = np.array([[[100.0, 0.0]], [[110.0, 5.0]]])  # [t, a, s], base year empty in one cell
    np.testing.assert_allclose(population_growth(projected, 0)[1], [[1.1, 1.0]])
    assert dna_adjusted_bookings(np.float64(5200.0), 0.05, 0.025) == pytest.approx(5200 * 0.95 / 0.975)
