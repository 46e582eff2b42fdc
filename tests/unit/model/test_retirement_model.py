"""Hand-worked checks of retirement risk (model/retirement.py)."""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.retirement import AMBER, GREEN, NO_DATA, RED, band_exit_shares, retirement_risk
from gpworkforce.model.supply import SupplyParameters

B = 10
AGE_55 = np.arange(B) >= 6
AGE_60 = np.arange(B) >= 7


def params() -> SupplyParameters:
    return SupplyParameters(
        hazard=np.array([[0, 0, 0, 0, 0, 0.02, 0.11, 0.22, 0.35, 0.6]], dtype=float),
        leaver_rate=np.array([0.05]),
        ageing=np.array([0.2] * 9 + [0.0]),
        fte_drift=np.zeros(1),
        cohort_share=np.zeros(1),
        cohort_bands=np.zeros((1, B), dtype=bool),
        cohort_years=0,
    )


def test_exit_shares_hand_worked():
    # 70+: retire 0.6 in year 1; of the 0.4 left, 5% leave: 0.6 + 0.02 = 0.62
    one = band_exit_shares(params(), 1)
    assert one[0, 9] == pytest.approx(0.62)
    assert band_exit_shares(params(), 1, with_leavers=False)[0, 9] == pytest.approx(0.6)
    # 70+ over two years: 1 - (0.4 * 0.95) ** 2
    assert band_exit_shares(params(), 2)[0, 9] == pytest.approx(1 - 0.38**2)
    # 60-64 over two years, retirement only: 0.22, then 0.78 split 0.8 stay (0.22) / 0.2 to 65-69 (0.35)
    assert band_exit_shares(params(), 2, with_leavers=False)[0, 7] == pytest.approx(
        0.22 + 0.78 * (0.8 * 0.22 + 0.2 * 0.35)
    )
    assert band_exit_shares(params(), 5)[0, 0] == pytest.approx(1 - 0.95**5)  # under 30: leavers only


def risk(heads, fte_per_head, has_data=None):
    heads = np.asarray(heads, dtype=float)[:, None, :]
    n = heads.shape[0]
    has = np.ones((n, 1), dtype=bool) if has_data is None else np.asarray(has_data)[:, None]
    return retirement_risk(
        heads, np.asarray(fte_per_head, dtype=float)[:, None], has, AGE_55, AGE_60,
        band_exit_shares(params(), 2), band_exit_shares(params(), 5), 0.5, 0.3, 0.5, 0.35,
    )  # fmt: skip


def test_rag_rules():
    single_60 = [0] * 7 + [1, 0, 0]
    half_55 = [0, 2, 0, 0, 0, 0, 2, 0, 0, 0]
    third_55 = [0, 2, 2, 0, 0, 0, 2, 0, 0, 0]
    young = [0, 3, 3, 0, 0, 0, 0, 0, 0, 0]
    r = risk([single_60, half_55, third_55, young, young], [0.8] * 5, [True, True, True, True, False])
    assert r.rag[:, 0].tolist() == [RED, RED, AMBER, GREEN, NO_DATA]
    assert r.flags[0, 0, 0]  # single-handed aged 60+
    assert r.share_fte_55[1, 0] == pytest.approx(0.5)
    assert r.share_fte_55[2, 0] == pytest.approx(1 / 3)
    assert r.heads_55[1, 0] == 2 and r.heads_60[0, 0] == 1 and r.fte_55[1, 0] == pytest.approx(1.6)
    assert not r.flags[4].any()  # no data: no rule fires


def test_leave_share_is_fte_weighted():
    heads = [[0, 1, 0, 0, 0, 0, 0, 0, 0, 1]]
    r = risk(heads, [1.0])
    shares = band_exit_shares(params(), 5)[0]
    assert r.leave_5[0, 0] == pytest.approx((shares[1] + shares[9]) / 2)
    assert r.leave_2[0, 0] < r.leave_5[0, 0]
