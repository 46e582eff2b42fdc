"""Unit: the run's levers and outputs on the hand-worked practice (see test_hand_worked.py),
and the spreadsheet-style loop on the same edges.

  baseline: booked 5,200 a year; GP 40 and nurse 60 appointments a week; GP 75 and nurse 45 slots
  local factor 1.5 and demand multiplier 0.9: booked 5,200 * 1.5 * 0.9 = 7,020
  10-minute GP slots: 37.5 h * 0.5 * 60 / 10 = 112.5 GP slots a week
  removing 1.5 nurse FTE from 0.5 leaves 0, never negative: nurse slots 0
"""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.engine import Levers, ModelInputs, run
from gpworkforce.model.spreadsheet import gap_all_practices, gap_one_practice
from gpworkforce.nomenclature import ROLE_CODES
from tests.unit.model.helpers import ACUTE, CLINIC, GP, NURSE, R, small_practice, two_role_parameters


def _inputs(local: np.ndarray | None = None) -> ModelInputs:
    patients, fte = small_practice()
    return ModelInputs(patients=patients, covariates=np.zeros((1, 0)), fte=fte, local_factor=local)


def test_outputs_of_the_baseline_run() -> None:
    res = run(_inputs(), two_role_parameters())
    assert res.expected_year[0] == pytest.approx(5200.0)
    assert res.need[0] == 1.0
    assert res.demand_category_year[0, ACUTE] == pytest.approx(3120.0)
    assert res.demand_category_year[0, CLINIC] == pytest.approx(2080.0)
    assert res.fte[0, GP] == 1.0 and res.fte[0, NURSE] == 0.5
    assert res.slots_per_fte_week[GP] == pytest.approx(75.0) and res.slots_per_fte_week[NURSE] == pytest.approx(90.0)


def test_local_factor_and_demand_multiplier_scale_bookings() -> None:
    res = run(_inputs(np.array([1.5])), two_role_parameters(), Levers(demand_multiplier=0.9))
    assert res.booked_year[0] == pytest.approx(7020.0)


def test_slot_length_lever() -> None:
    minutes = two_role_parameters().minutes.copy()
    minutes[GP] = 10.0
    res = run(_inputs(), two_role_parameters(), Levers(minutes=minutes))
    assert res.capacity_week[0, GP] == pytest.approx(112.5)
    assert res.slots_per_fte_week[GP] == pytest.approx(112.5)


def test_removed_fte_stop_at_zero() -> None:
    added = np.zeros((1, R))
    added[0, NURSE] = -1.5
    res = run(_inputs(), two_role_parameters(), Levers(added_fte=added))
    assert res.fte[0, NURSE] == 0.0 and res.capacity_week[0, NURSE] == 0.0
    assert res.fte[0, GP] == 1.0


def test_spreadsheet_loop_on_the_hand_worked_practice() -> None:
    patients, fte = small_practice()
    p = two_role_parameters()
    demand, capacity, unassigned = gap_one_practice(patients[0].tolist(), [], fte[0].tolist(), p)
    assert demand[GP] == pytest.approx(40.0) and demand[NURSE] == pytest.approx(60.0)
    assert capacity[GP] == pytest.approx(75.0) and unassigned == 0.0
    [(demand, _, _)] = gap_all_practices(patients.tolist(), [[]], fte.tolist(), p)
    assert demand[GP] == pytest.approx(40.0)  # nothing shifted unless asked
    # no nurse: her 60 appointments are unassigned (and not counted twice)
    fte[0, NURSE] = 0.0
    [(demand, _, unassigned)] = gap_all_practices(patients.tolist(), [[]], fte.tolist(), p)
    assert unassigned == pytest.approx(60.0) and demand[NURSE] == 0.0
    with pytest.raises(ValueError):
        gap_one_practice(patients[0].tolist(), [1.0], fte[0].tolist(), p)  # one covariate, no coefficient


def test_spreadsheet_loop_with_under_one_slot() -> None:
    """A GP with half a slot a week still takes all GP work; a nurse with 0.45 slots all nurse work."""
    patients, fte = small_practice()
    fte[0, GP], fte[0, NURSE] = 0.5 / 75.0, 0.005
    p = two_role_parameters()
    demand, capacity, unassigned = gap_one_practice(patients[0].tolist(), [], fte[0].tolist(), p)
    assert capacity[GP] == pytest.approx(0.5) and capacity[NURSE] == pytest.approx(0.45)
    assert demand[GP] == pytest.approx(40.0) and demand[NURSE] == pytest.approx(60.0) and unassigned == 0.0
    res = run(ModelInputs(patients, np.zeros((1, 0)), fte), p)
    np.testing.assert_allclose(res.demand_week[0], demand)


def test_cost_per_appointment_of_the_parameters() -> None:
    # GP 120 GBP/h * 15 / 60 / 0.5 = 60; nurse 48 * 20 / 60 / 0.8 = 20; others not clinical: 0
    cost = two_role_parameters().cost_per_appointment()
    assert cost[GP] == pytest.approx(60.0) and cost[NURSE] == pytest.approx(20.0)
    assert cost.sum() == pytest.approx(80.0)


def test_spreadsheet_loop_gives_gp_work_to_the_gp_with_capacity() -> None:
    patients, fte = small_practice()
    fte[0, GP] = 0.0
    locum = 1  # gp_locum_trainee: a GP role after the first
    fte[0, locum] = 0.5 / 75.0  # half a slot a week
    base = two_role_parameters()
    facing = base.patient_facing.copy()
    facing[locum] = 0.5  # like the GP: 75 slots per FTE
    p = two_role_parameters(clinical=base.clinical | (np.arange(R) == locum), patient_facing=facing)
    demand, _, _ = gap_one_practice(patients[0].tolist(), [], fte[0].tolist(), p)
    assert demand[locum] == pytest.approx(40.0) and demand[GP] == 0.0


def test_gp_work_others_could_take_is_returned_by_the_run() -> None:
    # acute 3,120 a year x GP share 0.5 / 52 = 30 GP appointments a week, clinic 2,080 x 0.25 / 52 = 10.
    # The nurse could take 20% of acute and 50% of clinic GP work: 30 x 0.2 = 6 and 10 x 0.5 = 5.
    res = run(_inputs(), two_role_parameters())
    gp = res.gp_work_week()
    assert gp[ACUTE] == pytest.approx(30.0) and gp[CLINIC] == pytest.approx(10.0)
    others = res.gp_work_others_could_take_week()
    assert others[ACUTE] == pytest.approx(6.0) and others[CLINIC] == pytest.approx(5.0)
    # a potential, not a move: the shift lever does not change it; two practices add up
    shifted = run(_inputs(), two_role_parameters(), Levers(shift_share=0.5))
    np.testing.assert_allclose(shifted.gp_work_others_could_take_week(), others)
    patients, fte = small_practice()
    two = ModelInputs(
        patients=np.concatenate([patients, 2 * patients]), covariates=np.zeros((2, 0)), fte=np.concatenate([fte, fte])
    )
    np.testing.assert_allclose(run(two, two_role_parameters()).gp_work_others_could_take_week(), 3 * others)


def test_gp_work_others_could_take_counts_clinical_roles_only() -> None:
    # a care navigator given a skill for acute GP work is still not clinical capacity: the
    # potential stays 6 acute appointments a week (the nurse's 20% of 30)
    skills = two_role_parameters().skills.copy()
    skills[ROLE_CODES.index("care_navigator"), ACUTE] = 0.5
    res = run(_inputs(), two_role_parameters(skills=skills))
    assert res.gp_work_others_could_take_week()[ACUTE] == pytest.approx(6.0)
