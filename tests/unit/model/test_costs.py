"""Unit: costs of an appointment and of moving GP work, worked by hand.

Roles [GP, nurse, pharmacist, admin]; categories [acute, clinic]. The practice of
test_hand_worked.py: GP 120 GBP/h, 15 min slots, half the paid time patient-facing;
nurse 48 GBP/h, 20 min, 0.8; pharmacist 51 GBP/h, 30 min, 0.75; admin not clinical.
  cost GP         = 120 * 15 / 60 / 0.5  = 60 GBP an appointment
  cost nurse      =  48 * 20 / 60 / 0.8  = 20
  cost pharmacist =  51 * 30 / 60 / 0.75 = 34
Demand 3,120 acute and 2,080 clinic appointments a year; GPs do 50% and 25%:
  GP work = 3,120 * 0.5 / 52 = 30 and 2,080 * 0.25 / 52 = 10 a week
Skills: nurse acute 0.2, clinic 0.5; pharmacist acute 0.5.
  others could take, acute  = 30 * (1 - 0.8 * 0.5) = 18; clinic = 10 * 0.5 = 5 -> 23 a week
  other roles' cost, acute  = (0.2 * 20 + 0.5 * 34) / 0.7 = 30 (a plain mean would be 27)
                     clinic = 20
  GP hours freed  = 23 * 15 / 60 = 5.75 h a week
  a year at GP rates        = 23 * 60 * 52 = 71,760 GBP
  a year by other roles     = (18 * 30 + 5 * 20) * 52 = 640 * 52 = 33,280 GBP
"""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model import costs

HOURLY = np.array([120.0, 48.0, 51.0, 30.0])
MINUTES = np.array([15.0, 20.0, 30.0, 10.0])
FACING = np.array([0.5, 0.8, 0.75, 0.0])
CLINICAL = np.array([True, True, True, False])
SKILLS = np.array([[0.0, 0.0], [0.2, 0.5], [0.5, 0.0], [0.0, 0.0]])
OTHER = np.array([0.0, 1.0, 1.0, 0.0])


def test_cost_per_appointment_counts_non_patient_facing_time() -> None:
    cost = costs.cost_per_appointment(HOURLY, MINUTES, FACING, CLINICAL)
    np.testing.assert_allclose(cost, [60.0, 20.0, 34.0, 0.0])


def test_cost_per_appointment_broadcasts_over_scenarios() -> None:
    # scenario 2 books 10-minute GP slots: 120 * 10 / 60 / 0.5 = 40
    minutes = np.stack([MINUTES, np.array([10.0, 20.0, 30.0, 10.0])])
    cost = costs.cost_per_appointment(HOURLY, minutes, FACING, CLINICAL)
    np.testing.assert_allclose(cost, [[60.0, 20.0, 34.0, 0.0], [40.0, 20.0, 34.0, 0.0]])


def test_gp_work_by_category_one_and_many_practices() -> None:
    share = np.array([0.5, 0.25])
    one = costs.gp_work_by_category(np.array([3120.0, 2080.0]), share, 52.0)
    np.testing.assert_allclose(one, [30.0, 10.0])
    many = costs.gp_work_by_category(np.array([[3120.0, 2080.0], [6240.0, 0.0]]), share, 52.0)
    np.testing.assert_allclose(many, [[30.0, 10.0], [60.0, 0.0]])


def test_gp_work_others_could_take_combines_roles_as_a_union() -> None:
    gp_work = np.array([30.0, 10.0])
    np.testing.assert_allclose(costs.gp_work_others_could_take(gp_work, SKILLS, OTHER), [18.0, 5.0])
    # nurse only: 0.2 * 30 = 6 and 0.5 * 10 = 5
    nurse_only = np.array([0.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(costs.gp_work_others_could_take(gp_work, SKILLS, nurse_only), [6.0, 5.0])
    many = costs.gp_work_others_could_take(np.array([[30.0, 10.0], [60.0, 20.0]]), SKILLS, OTHER)
    np.testing.assert_allclose(many, [[18.0, 5.0], [36.0, 10.0]])


def test_other_roles_cost_is_weighted_by_skills_not_a_mean() -> None:
    cost = np.array([60.0, 20.0, 34.0, 0.0])
    skills = np.column_stack([SKILLS, np.zeros(4)])  # a third category nobody else is skilled for
    np.testing.assert_allclose(costs.other_roles_cost_per_appointment(skills, cost), [30.0, 20.0, 0.0])


def test_gp_hours_are_appointments_times_minutes_over_60() -> None:
    assert costs.gp_hours(np.float64(23.0), 15.0) == pytest.approx(5.75)
    np.testing.assert_allclose(costs.gp_hours(np.array([23.0, 4.0]), 15.0), [5.75, 1.0])


def test_annual_costs_of_moved_work() -> None:
    assert costs.annual_cost_at_gp_rates(np.float64(23.0), 60.0, 52.0) == pytest.approx(71_760.0)
    np.testing.assert_allclose(costs.annual_cost_at_gp_rates(np.array([23.0, 1.0]), 60.0, 52.0), [71_760.0, 3120.0])
    other_cost = np.array([30.0, 20.0])
    assert costs.annual_cost_by_other_roles(np.array([18.0, 5.0]), other_cost, 52.0) == pytest.approx(33_280.0)
    many = costs.annual_cost_by_other_roles(np.array([[18.0, 5.0], [36.0, 10.0]]), other_cost, 52.0)
    np.testing.assert_allclose(many, [33_280.0, 66_560.0])


def test_team_share_counts_only_roles_with_capacity_and_matches_the_shift() -> None:
    """Hand-worked: one category, GP share 0.5, 100 appointments a week; two other roles could take
    0.2 and 0.5 of GP work. Practice 1 has both (1 - 0.8 x 0.5 = 0.6), practice 2 only the first
    (0.2): GP work 50 + 50, team could take 30 + 10 = 40 (every role: 60 + 60 = 120 would be 60%)."""
    from gpworkforce.model.engine import ModelResult

    skills = np.array([[0.0], [0.2], [0.5]])  # gp, role a, role b
    capacity = np.array([[10.0, 5.0, 5.0], [10.0, 5.0, 0.0]])
    zeros = np.zeros((2, 3))
    res = ModelResult(
        patients=np.zeros((2, 1, 1)),
        list_size=np.zeros(2),
        expected_year=np.zeros(2),
        need=np.ones(2),
        booked_year=np.zeros(2),
        demand_category_year=np.array([[100.0], [100.0]]) * 52.0,
        demand_week=zeros,
        unassigned_week=np.zeros(2),
        capacity_week=capacity,
        gap_week=zeros,
        shifted_week=np.zeros(2),
        fte=zeros,
        slots_per_fte_week=np.ones(3),
        gp_share=np.array([0.5]),
        skills=skills,
        others_available=np.array([0.0, 1.0, 1.0]),
    )
    np.testing.assert_allclose(res.gp_work_team_could_take_week(), [40.0])
    np.testing.assert_allclose(res.gp_work_others_could_take_week(), [60.0])
