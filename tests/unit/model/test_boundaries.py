"""Unit: edges of the model's formulas (empty, tiny and leading-axis inputs), each worked by hand.

Small numbers below 1 (half a patient, half a slot) are not realistic, but they pin each
guard at zero rather than one: a guard that only worked above 1 would fail a real edge.
"""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model import benchmarks, costs
from gpworkforce.model.calibration import local_factors
from gpworkforce.model.capacity import capacity_to_demand
from gpworkforce.model.demand import appointments_by_age_band, need_index, population_growth
from gpworkforce.model.grouping import group_sum
from gpworkforce.model.ratios import share_of
from gpworkforce.model.skillmix import allocate, split_by_weight, transferable_share
from gpworkforce.model.workforce import estimate_missing_staff, pcn_fte_by_practice, share_of_group_list


def test_guards_are_at_zero_not_one() -> None:
    assert share_of(1.0, 0.5) == 2.0
    assert capacity_to_demand(np.float64(1.0), np.float64(0.5)) == 2.0
    assert benchmarks.fte_per_1000(np.array([1.0]), 0.5)[0] == 2000.0
    assert benchmarks.patients_per_fte(np.array([0.5]), 1.0)[0] == 2.0
    np.testing.assert_allclose(population_growth(np.array([[0.5], [1.0]]), 0), [[1.0], [2.0]])
    # expected 0.5 and booked 1: the band gets 0.5 * 1 / 0.5 = 1
    by_age = appointments_by_age_band(np.array([[[0.5]]]), np.array([[1.0]]), np.array([1.0]), np.array([0.5]))
    assert by_age[0] == 1.0
    # observed 0.5 against a predicted 0.25 a month: factor 2
    f = local_factors(np.array([0.5]), np.array([3.0]), np.array([1.0]), 1.0, 1 / 12, 0.33, 3.0)
    assert f[0] == pytest.approx(2.0)
    # a practice with a single patient counts in the median FTE per 1,000 patients
    out, _ = estimate_missing_staff(
        np.array([[2.0], [0.0]]), np.array([[True], [False]]), np.array([1.0, 3.0]), [np.zeros(2, dtype=np.intp)]
    )
    np.testing.assert_allclose(out, [[2.0], [6.0]])


def test_empty_inputs_give_zero_or_nan_without_warnings() -> None:
    """0/0 and x/0 cells (the conftest turns RuntimeWarnings into errors)."""
    assert np.isnan(benchmarks.patients_per_fte(np.array([0.0]), 0.0)[0])
    assert np.isnan(benchmarks.fte_per_1000(np.array([0.0]), 0.0)[0])
    np.testing.assert_allclose(population_growth(np.array([[0.0], [0.0]]), 0), [[1.0], [1.0]])
    f = local_factors(np.array([0.0, 5.0]), np.zeros(2), np.ones(2), 1.0, 1 / 12, 0.33, 3.0)
    np.testing.assert_allclose(f, [1.0, 1.0])
    cost = costs.cost_per_appointment(np.array([0.0, 30.0]), np.array([0.0, 10.0]), np.zeros(2), np.zeros(2, bool))
    np.testing.assert_allclose(cost, [0.0, 0.0])


def test_integer_fte_are_estimated_as_floats() -> None:
    out, _ = estimate_missing_staff(
        np.array([[3], [0]]), np.array([[True], [False]]), np.array([2.0, 1.0]), [np.zeros(2, dtype=np.intp)]
    )
    np.testing.assert_allclose(out, [[3.0], [1.5]])


def test_pcn_sharing_with_three_roles_and_one_pcn() -> None:
    # one PCN of [3, 0, 1.5] FTE; practices of 1,000 and 2,000 in it and one outside
    out = pcn_fte_by_practice(np.array([[3.0, 0.0, 1.5]]), np.array([0, 0, -1]), np.array([1000.0, 2000.0, 500.0]))
    np.testing.assert_allclose(out, [[1.0, 0.0, 0.5], [2.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(share_of_group_list(np.array([10.0, 30.0]), np.array([-1, 0]), 1), [0.0, 1.0])
    # practices in the second PCN are not given the first's staff
    out = pcn_fte_by_practice(np.array([[4.0], [1.0]]), np.array([1, 0]), np.array([100.0, 100.0]))
    np.testing.assert_allclose(out, [[1.0], [4.0]])


def test_need_index_one_practice_many_and_none() -> None:
    assert need_index(np.array([1.0, 2.0]), np.array([0.1, 0.2])) == pytest.approx(np.exp(0.5))
    np.testing.assert_allclose(need_index(np.array([[1.0], [-1.0]]), np.array([0.1])), np.exp([0.1, -0.1]))
    np.testing.assert_allclose(need_index(np.zeros((2, 3, 0)), np.zeros(0)), np.ones((2, 3)))


def test_group_sum_of_several_columns_and_along_another_axis() -> None:
    values = np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 40.0]])
    groups = np.array([1, -1, 1], dtype=np.intp)
    np.testing.assert_allclose(group_sum(values, groups, 2), [[0.0, 0.0], [5.0, 50.0]])
    np.testing.assert_allclose(group_sum(values.T, groups, 2, axis=1), [[0.0, 5.0], [0.0, 50.0]])
    np.testing.assert_allclose(group_sum(np.array([1, 2, 4]), groups, 2), [0.0, 5.0])


def test_a_skill_of_one_is_all_of_the_work_and_absent_roles_take_none() -> None:
    skills = np.array([[1.0, 0.0], [0.5, 0.5]])
    np.testing.assert_allclose(transferable_share(skills, np.array([0.0, 1.0])), [0.5, 0.5])
    np.testing.assert_allclose(transferable_share(skills, np.array([1.0, 0.0])), [1.0, 0.0], atol=1e-9)


def test_split_by_weight_over_leading_axes() -> None:
    # two scenarios x one practice; category 2 has no weight on the team: unassigned
    demand = np.array([[[6.0, 3.0]], [[12.0, 0.0]]])
    weights = np.array([[1.0, 0.0], [2.0, 0.0]])
    capacity = np.array([[[1.0, 1.0]], [[1.0, 0.0]]])
    by_role, unassigned = split_by_weight(demand, weights, capacity)
    np.testing.assert_allclose(by_role, [[[2.0, 4.0]], [[12.0, 0.0]]])
    np.testing.assert_allclose(unassigned, [[3.0], [0.0]])


def _three_roles() -> dict[str, np.ndarray]:
    """Roles [nurse, GP, locum GP] (the first GP is not role 0); categories [acute, clinic]."""
    return {
        "gp_share": np.array([0.5, 0.25]),
        "skills": np.array([[0.2, 0.5], [0.0, 0.0], [0.0, 0.0]]),
        "delivery_weight": np.ones((3, 2)),  # GP rows must be ignored for other staff's work
        "gp_roles": np.array([False, True, True]),
    }


def test_allocate_hand_worked_with_gp_not_first() -> None:
    # demand 60 acute, 40 clinic: GP work 30 + 10 = 40 shared 3:1 between GP and locum; nurse 60
    p = _three_roles()
    by_role, unassigned, shifted = allocate(
        np.array([60.0, 40.0]), p["gp_share"], p["skills"], p["delivery_weight"], np.array([45.0, 75.0, 25.0]),
        p["gp_roles"],
    )  # fmt: skip
    np.testing.assert_allclose(by_role, [60.0, 30.0, 10.0])
    assert unassigned == 0.0 and shifted == 0.0


def test_allocate_without_gp_capacity_counts_gp_work_on_the_first_gp_role() -> None:
    p = _three_roles()
    by_role, _, _ = allocate(
        np.array([60.0, 40.0]), p["gp_share"], p["skills"], p["delivery_weight"], np.array([45.0, 0.0, 0.0]),
        p["gp_roles"],
    )  # fmt: skip
    np.testing.assert_allclose(by_role, [60.0, 40.0, 0.0])
    # half a GP slot is still GP capacity: all GP work is the GP's
    by_role, _, _ = allocate(
        np.array([60.0, 40.0]), p["gp_share"], p["skills"], p["delivery_weight"], np.array([45.0, 0.0, 0.5]),
        p["gp_roles"],
    )  # fmt: skip
    np.testing.assert_allclose(by_role, [60.0, 0.0, 40.0])


def test_allocate_broadcasts_over_scenarios_and_practices() -> None:
    """[2 scenarios, 2 practices, c] gives, cell by cell, what one practice gives."""
    p = _three_roles()
    demand = np.array([[[60.0, 40.0], [6.0, 4.0]], [[120.0, 0.0], [0.0, 8.0]]])
    capacity = np.array([[[45.0, 75.0, 25.0], [45.0, 0.0, 0.0]], [[0.0, 75.0, 0.0], [10.0, 10.0, 10.0]]])
    shift = np.array([[0.5, 0.0], [1.0, 0.25]])
    args = (p["gp_share"], p["skills"], p["delivery_weight"])
    by_role, unassigned, shifted = allocate(demand, *args, capacity, p["gp_roles"], shift)
    for i in range(2):
        for j in range(2):
            one = allocate(demand[i, j], *args, capacity[i, j], p["gp_roles"], shift[i, j])
            np.testing.assert_allclose(by_role[i, j], one[0])
            assert unassigned[i, j] == pytest.approx(one[1]) and shifted[i, j] == pytest.approx(one[2])
    # scenario 1, practice 1: half of (0.2 * 30 + 0.5 * 10) = 5.5 moved to the nurse
    assert shifted[0, 0] == pytest.approx(5.5)
    # scenario 2, practice 1 has no nurse: its 60 other-staff appointments are unassigned
    assert unassigned[1, 0] == pytest.approx(60.0)


def test_a_billionth_of_a_slot_is_no_capacity() -> None:
    p = _three_roles()
    _, unassigned, _ = allocate(
        np.array([60.0, 40.0]), p["gp_share"], p["skills"], p["delivery_weight"], np.array([1e-9, 75.0, 0.0]),
        p["gp_roles"],
    )  # fmt: skip
    assert unassigned == pytest.approx(60.0)
