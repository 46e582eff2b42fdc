"""Unit: PCN staff shared by list size and FTE estimated for practices with no record.

Four practices with lists [1,000, 3,000, 2,000, 500]; the first two in PCN 0, the third in
PCN 1, the fourth in none. PCN 0 employs [4, 2] FTE of two roles, PCN 1 [1, 0]:
  shares  = [1,000/4,000, 3,000/4,000, 2,000/2,000, 0] = [0.25, 0.75, 1, 0]
  PCN FTE = [0.25*[4,2], 0.75*[4,2], [1,0], [0,0]] = [[1,0.5], [3,1.5], [1,0], [0,0]]
Estimates: practices 0 and 1 have records ([2,1] and [4,1] FTE, 4,000 patients), so England
has [6,2] / 4,000 = [0.0015, 0.0005] FTE per patient; practice 2 (500 patients, no record)
gets [0.75, 0.25].
"""

from __future__ import annotations

import numpy as np

from gpworkforce.model.workforce import estimate_missing_fte, pcn_fte_by_practice, share_of_group_list

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


def test_missing_practices_get_england_fte_per_patient() -> None:
    fte = np.array([[2.0, 1.0], [4.0, 1.0], [0.0, 0.0], [9.0, 9.0]])
    has = np.array([True, True, False, True])
    lists = np.array([1000.0, 3000.0, 500.0, 0.0])  # the last has a record but no list: not in the rate
    out = estimate_missing_fte(fte, has, lists)
    np.testing.assert_allclose(out, [[2.0, 1.0], [4.0, 1.0], [0.75, 0.25], [9.0, 9.0]])
    assert fte[2, 0] == 0.0  # the input is left alone


def test_no_record_anywhere_leaves_fte_unchanged() -> None:
    fte = np.zeros((2, 2))
    out = estimate_missing_fte(fte, np.array([False, False]), np.array([100.0, 200.0]))
    np.testing.assert_allclose(out, 0.0)
    one = estimate_missing_fte(np.array([[1.0, 2.0]]), np.array([True]), np.array([100.0]))
    np.testing.assert_allclose(one, [[1.0, 2.0]])
