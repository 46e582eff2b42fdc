"""Unit: PCN staff shared by list size and FTE estimated for practices with no record.

Four practices with lists [1,000, 3,000, 2,000, 500]; the first two in PCN 0, the third in
PCN 1, the fourth in none. PCN 0 employs [4, 2] FTE of two roles, PCN 1 [1, 0]:
  shares  = [1,000/4,000, 3,000/4,000, 2,000/2,000, 0] = [0.25, 0.75, 1, 0]
  PCN FTE = [0.25*[4,2], 0.75*[4,2], [1,0], [0,0]] = [[1,0.5], [3,1.5], [1,0], [0,0]]

Missing staff groups (NA or absent), five practices, lists [1,000, 2,000, 4,000, 3,000, 500];
sub-ICBs [0, 0, 0, 1, 2], ICBs [0, 0, 0, 0, 1]; columns nurse and DPC (None = unknown):
  nurse [1, 4, None, 6, None] -> per 1,000: p0 1.0, p1 2.0, p3 2.0
    p2 (sub-ICB 0): median(1.0, 2.0) = 1.5 -> 4 * 1.5 = 6.0
    p4 (sub-ICB 2 and ICB 1 know no nurses): England median(1, 2, 2) = 2.0 -> 0.5 * 2 = 1.0
  DPC   [0, None, 2, None, 1] -> per 1,000: p0 0.0 (a published 0 is known), p2 0.5, p4 2.0
    p1 (sub-ICB 0): median(0.0, 0.5) = 0.25 -> 2 * 0.25 = 0.5
    p3 (sub-ICB 1 knows none; ICB 0 = p0, p2): 0.25 -> 3 * 0.25 = 0.75
Role split: staff groups [2, 10] FTE with mixes [1, 0, 0] and [0, 0.2, 0.8] -> roles [2, 2, 8].
"""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.grouping import group_median
from gpworkforce.model.workforce import (
    estimate_missing_staff,
    pcn_fte_by_practice,
    share_of_group_list,
    split_staff_groups,
)

LISTS = np.array([1000.0, 3000.0, 2000.0, 500.0])
GROUP = np.array([0, 0, 1, -1], dtype=np.intp)


def test_share_of_group_list() -> None:
    np.testing.assert_allclose(share_of_group_list(LISTS, GROUP, 2), [0.25, 0.75, 1.0, 0.0])
    # one practice alone in its PCN has all of it; a PCN with no patients shares nothing
    np.testing.assert_allclose(share_of_group_list(np.array([800.0]), np.array([0], dtype=np.intp), 1), [1.0])
    np.testing.assert_allclose(share_of_group_list(np.zeros(2), np.array([0, 0], dtype=np.intp), 1), [0.0, 0.0])


def test_pcn_fte_shared_by_list_size() -> None:
    fte_of_pcn = np.array([[4.0, 2.0], [1.0, 0.0]])
    out = pcn_fte_by_practice(fte_of_pcn, GROUP, LISTS)
    np.testing.assert_allclose(out, [[1.0, 0.5], [3.0, 1.5], [1.0, 0.0], [0.0, 0.0]])
    np.testing.assert_allclose(out.sum(axis=0), fte_of_pcn.sum(axis=0))  # every PCN FTE counted once
    one = pcn_fte_by_practice(fte_of_pcn[:1], np.array([0], dtype=np.intp), np.array([700.0]))
    np.testing.assert_allclose(one, [[4.0, 2.0]])


LISTS5 = np.array([1000.0, 2000.0, 4000.0, 3000.0, 500.0])
SUB_ICB = np.array([0, 0, 0, 1, 2], dtype=np.intp)
ICB = np.array([0, 0, 0, 0, 1], dtype=np.intp)


def test_group_median_odd_even_empty_and_dropped() -> None:
    values = np.array([3.0, 1.0, 2.0, 10.0, np.nan, 5.0, 4.0, 7.0])
    groups = np.array([0, 0, 0, 1, 1, -1, 3, 3], dtype=np.intp)
    # group 0 -> 2; group 1 -> 10 (NaN left out); group 2 has none; group 3 -> (4 + 7) / 2; -1 dropped
    np.testing.assert_allclose(group_median(values, groups, 4), [2.0, 10.0, np.nan, 5.5])
    np.testing.assert_allclose(group_median(np.array([np.nan]), np.array([0], dtype=np.intp), 2), [np.nan, np.nan])


def test_missing_staff_from_sub_icb_then_icb_then_england_median() -> None:
    fte = np.array([[1.0, 0.0], [4.0, 0.0], [0.0, 2.0], [6.0, 0.0], [0.0, 1.0]])
    known = np.array([[True, True], [True, False], [False, True], [True, False], [False, True]])
    out, estimated = estimate_missing_staff(fte, known, LISTS5, [SUB_ICB, ICB])
    np.testing.assert_allclose(out, [[1.0, 0.0], [4.0, 0.5], [6.0, 2.0], [6.0, 0.75], [1.0, 1.0]])
    np.testing.assert_array_equal(estimated, ~known)
    assert out[0, 1] == 0.0  # a published zero is not missing
    assert fte[2, 0] == 0.0  # the input is left alone


def test_practice_outside_any_area_gets_england_and_unknown_everywhere_stays_zero() -> None:
    fte = np.array([[2.0, 0.0], [0.0, 0.0]])
    known = np.array([[True, False], [False, False]])
    lists = np.array([1000.0, 3000.0])
    out, estimated = estimate_missing_staff(fte, known, lists, [np.array([0, -1], dtype=np.intp)])
    # practice 1 is in no sub-ICB: England's 2.0 per 1,000 -> 6.0; DPC is known nowhere: 0, not estimated
    np.testing.assert_allclose(out, [[2.0, 0.0], [6.0, 0.0]])
    np.testing.assert_array_equal(estimated, [[False, False], [True, False]])


def test_a_known_practice_without_a_list_is_not_in_the_rate() -> None:
    fte = np.array([[9.0], [3.0], [0.0]])
    known = np.array([[True], [True], [False]])
    out, _ = estimate_missing_staff(fte, known, np.array([0.0, 1000.0, 2000.0]), [np.zeros(3, dtype=np.intp)])
    assert out[2, 0] == pytest.approx(6.0)  # 3 per 1,000 from practice 1 only


def test_split_staff_groups_moves_fte_between_roles_only() -> None:
    mix = np.array([[1.0, 0.0, 0.0], [0.0, 0.2, 0.8]])
    out = split_staff_groups(np.array([[2.0, 10.0], [0.0, 5.0]]), mix)
    np.testing.assert_allclose(out, [[2.0, 2.0, 8.0], [0.0, 1.0, 4.0]])
    np.testing.assert_allclose(out.sum(axis=1), [12.0, 5.0])


def test_split_by_practice_equals_the_common_split_when_mixes_agree() -> None:
    from gpworkforce.model.workforce import split_staff_groups_by_practice

    mix = np.array([[1.0, 0.0, 0.0], [0.0, 0.2, 0.8]])
    fte = np.array([[2.0, 10.0], [0.0, 5.0]])
    np.testing.assert_allclose(split_staff_groups_by_practice(fte, np.stack([mix, mix])), split_staff_groups(fte, mix))
    own = np.stack([mix, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])])
    np.testing.assert_allclose(split_staff_groups_by_practice(fte, own), [[2.0, 2.0, 8.0], [0.0, 5.0, 0.0]])
