"""Hand-worked tests of the capacity standards: throughput fit and safe-working limit."""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.engine import Levers, ModelInputs, run
from gpworkforce.model.throughput import (
    fit_throughput,
    group_sums,
    practice_group_factor,
    role_factor,
    safe_slots_per_fte_week,
    split_unknown,
    usable_fit,
    uses_area_fit,
    working_days_per_fte_week,
)
from tests.unit.model.helpers import GP, NURSE, R, small_practice, two_role_parameters

# roles: gp, nurse, hca, admin -> groups 0 (GP), 1 (other), 1, -1 (not clinical)
GROUPS = np.array([0, 1, 1, -1])


def test_unknown_hcp_is_shared_pro_rata_to_the_known() -> None:
    # 600 GP, 200 other, 100 unknown: GP share 600/800 = 0.75 -> 75 and 25
    gp, other = split_unknown(np.array([600.0]), np.array([200.0]), np.array([100.0]))
    assert gp[0] == pytest.approx(675.0)
    assert other[0] == pytest.approx(225.0)
    # nothing known: half each, none lost
    gp, other = split_unknown(np.array([0.0]), np.array([0.0]), np.array([10.0]))
    assert (gp[0], other[0]) == (5.0, 5.0)


def test_group_sums_leave_non_clinical_roles_out() -> None:
    by_role = np.array([[2.0, 3.0, 4.0, 100.0], [1.0, 0.0, 1.0, 100.0]])
    np.testing.assert_allclose(group_sums(by_role, GROUPS, 2), [[2.0, 7.0], [1.0, 1.0]])


def test_throughput_fit_by_hand() -> None:
    # England: 10 GP FTE delivered 52,000 a year = 1,000 a week -> 100 per FTE-week.
    # Other: nurse 4 FTE x 80 slots + HCA 2 FTE x 100 slots = 520 reference slots, 6 FTE;
    # delivered 31,200 a year = 600 a week -> 100 per FTE-week, factor 600 / 520.
    fte = np.array([10.0, 4.0, 2.0, 7.0])
    ref = np.array([80.0, 80.0, 100.0, 0.0])
    fit = fit_throughput(np.array([52_000.0, 31_200.0]), fte, ref, GROUPS)
    np.testing.assert_allclose(fit.delivered_week, [1000.0, 600.0])
    np.testing.assert_allclose(fit.fte, [10.0, 6.0])
    np.testing.assert_allclose(fit.per_fte_week, [100.0, 100.0])
    np.testing.assert_allclose(fit.factor, [1000.0 / 800.0, 600.0 / 520.0])
    # the scaled slots give back what each group delivered, and keep nurse:HCA at 80:100
    slots = ref * role_factor(fit.factor, GROUPS)
    assert (fte * slots)[:1].sum() == pytest.approx(1000.0)
    assert (fte * slots)[1:3].sum() == pytest.approx(600.0)
    assert slots[1] / slots[2] == pytest.approx(0.8)
    assert slots[3] == 0.0


def test_throughput_fit_per_icb_rows_and_a_group_without_staff() -> None:
    fte = np.array([[10.0, 4.0, 2.0, 0.0], [5.0, 0.0, 0.0, 0.0]])
    ref = np.array([80.0, 80.0, 100.0, 0.0])
    fit = fit_throughput(np.array([[52_000.0, 31_200.0], [20_800.0, 520.0]]), fte, ref, GROUPS)
    np.testing.assert_allclose(fit.per_fte_week[1, 0], 80.0)  # 400 a week / 5 FTE
    assert np.isnan(fit.per_fte_week[1, 1]) and np.isnan(fit.factor[1, 1])
    # an unknown factor leaves the reference slots as they are
    np.testing.assert_allclose(role_factor(fit.factor[1], GROUPS), [1.0, 1.0, 1.0, 1.0])


def test_safe_standard_by_hand() -> None:
    # 25 contacts a day x 5 days x 43/52 weeks = 103.37 per FTE-week; no limit -> reference
    weeks = np.array([43.0, 41.2])
    assert working_days_per_fte_week(5.0, weeks)[0] == pytest.approx(215.0 / 52.0)
    safe = safe_slots_per_fte_week(np.array([77.3, 90.0]), np.array([25.0, np.nan]), 5.0, weeks)
    np.testing.assert_allclose(safe, [25.0 * 5.0 * 43.0 / 52.0, 90.0])


def test_slot_factor_lever_scales_capacity_only() -> None:
    # hand-worked practice: GP 75 and nurse 45 slots a week; x1.2 and x0.5 -> 90 and 22.5
    patients, fte = small_practice()
    inputs = ModelInputs(patients=patients, covariates=np.zeros((1, 0)), fte=fte)
    factor = np.ones(R)
    factor[GP], factor[NURSE] = 1.2, 0.5
    base = run(inputs, two_role_parameters())
    scaled = run(inputs, two_role_parameters(), Levers(slot_factor=factor))
    assert scaled.capacity_week[0, GP] == pytest.approx(90.0)
    assert scaled.capacity_week[0, NURSE] == pytest.approx(22.5)
    assert scaled.slots_per_fte_week[GP] == pytest.approx(90.0)
    np.testing.assert_allclose(scaled.booked_year, base.booked_year)


def test_each_practice_takes_its_icbs_factor_or_englands() -> None:
    # 2 ICBs, groups (GP, other). ICB 0: 40 GP FTE and 60 other FTE; factors 1.1 and 0.9.
    # ICB 1: 100 GP FTE but only 20 other FTE (under a 50-FTE minimum), factor for other NaN
    # besides; England's factors 1.2 and 0.8. Practices: p0 and p1 in ICB 0, p2 in ICB 1,
    # p3 with no ICB (-1).
    icb_factor = np.array([[1.1, 0.9], [1.3, np.nan]])
    icb_fte = np.array([[40.0, 60.0], [100.0, 20.0]])
    usable = usable_fit(icb_factor, icb_fte, 50.0)
    # ICB 0 GP: 40 FTE < 50 -> not usable; ICB 0 other: usable; ICB 1 GP usable; other NaN
    np.testing.assert_array_equal(usable, [[False, True], [True, False]])
    area = np.array([0, 0, 1, -1])
    national = np.array([1.2, 0.8])
    np.testing.assert_array_equal(
        uses_area_fit(usable, area), [[False, True], [False, True], [True, False], [False, False]]
    )
    factor = practice_group_factor(icb_factor, usable, national, area)
    np.testing.assert_allclose(factor, [[1.2, 0.9], [1.2, 0.9], [1.3, 0.8], [1.2, 0.8]])
    # into roles gp, nurse, hca, admin: admin stays 1
    np.testing.assert_allclose(role_factor(factor, GROUPS)[2], [1.3, 0.8, 0.8, 1.0])


def test_unusable_fits_zero_negative_and_infinite() -> None:
    usable = usable_fit(np.array([0.0, -1.0, np.inf, 1.0, 1.0]), np.array([99.0, 99.0, 99.0, np.nan, 50.0]), 50.0)
    np.testing.assert_array_equal(usable, [False, False, False, False, True])


def test_no_icb_fits_leave_every_practice_at_englands() -> None:
    factor = practice_group_factor(np.zeros((0, 2)), np.zeros((0, 2), bool), np.array([1.2, 0.8]), np.array([-1, -1]))
    np.testing.assert_allclose(factor, [[1.2, 0.8], [1.2, 0.8]])


def test_per_practice_slot_factor_lever() -> None:
    # two copies of the hand-worked practice: GP 75 and nurse 45 slots a week; the first x1.2
    # and x0.5 (90 and 22.5), the second unchanged
    patients, fte = small_practice()
    inputs = ModelInputs(patients=np.repeat(patients, 2, 0), covariates=np.zeros((2, 0)), fte=np.repeat(fte, 2, 0))
    factor = np.ones((2, R))
    factor[0, GP], factor[0, NURSE] = 1.2, 0.5
    res = run(inputs, two_role_parameters(), Levers(slot_factor=factor))
    np.testing.assert_allclose(res.capacity_week[:, [GP, NURSE]], [[90.0, 22.5], [75.0, 45.0]])
    assert res.slots_per_fte_week.shape == (2, R)


def test_split_group_rates_recovers_each_roles_rate_from_the_mix_between_areas() -> None:
    from gpworkforce.model.throughput import split_group_rates

    # three areas, qualified GPs deliver 100 a FTE-week and registrars 50:
    # area 1: 10 and 0 FTE -> 1,000; area 2: 10 and 10 -> 1,500; area 3: 0 and 4 -> 200
    fte = np.array([[10.0, 0.0], [10.0, 10.0], [0.0, 4.0]])
    np.testing.assert_allclose(split_group_rates(np.array([1000.0, 1500.0, 200.0]), fte), [100.0, 50.0])
    # a rate can't go below zero: 1,000 from 10 GPs and 1,000 from 10 GPs + 10 registrars -> 0 for registrars
    np.testing.assert_allclose(split_group_rates(np.array([1000.0, 1000.0]), fte[:2]), [100.0, 0.0], atol=1e-9)
