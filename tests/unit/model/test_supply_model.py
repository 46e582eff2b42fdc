"""Hand-worked checks of the supply projection (model/supply.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gpworkforce.model.supply import SupplyParameters, cohort_hazard, project_expected, quantiles, simulate

B = 10  # under_30 .. 70_plus
AGEING = np.array([0.2] * 9 + [0.0])
HAZARD = np.array([[0, 0, 0, 0, 0, 0.02, 0.11, 0.22, 0.35, 0.6]] * 2, dtype=float)
FROM_55 = np.array([[False] * 6 + [True] * 4, [False] * B])


def params(share: float = 0.0, years: int = 0, leaver: float = 0.05, sigma: float = 0.0, cv: float = 0.0):
    return SupplyParameters(
        hazard=HAZARD,
        leaver_rate=np.array([leaver, 0.06]),
        ageing=AGEING,
        fte_drift=np.array([-0.01, 0.0]),
        cohort_share=np.array([share, 0.0]),
        cohort_bands=FROM_55 if share else np.zeros((2, B), dtype=bool),
        cohort_years=years,
        hazard_sigma=sigma,
        leaver_cv=cv,
    )


def hee_heads() -> np.ndarray:
    """196 GPs aged 55+ (100/60/30/6 over 55-59 .. 70+) beside 400 younger GPs, in one practice."""
    heads = np.zeros((1, 2, B))
    heads[0, 0, :6] = [20, 60, 80, 80, 80, 80]
    heads[0, 0, 6:] = [100, 60, 30, 6]
    return heads


def test_cohort_schedule_is_even():
    # f = 1, H = 4: 1/4, then 1/4 of the 3/4 left = 1/3, then 1/2, then all
    got = [float(cohort_hazard(np.array(1.0), 4, t)) for t in range(1, 6)]
    assert got == pytest.approx([0.25, 1 / 3, 0.5, 1.0, 0.0])


@pytest.mark.parametrize(("preset_share", "expected"), [(1.0, 196.0), (0.8, 156.8)])
def test_hee_reproduction(preset_share, expected):
    proj = project_expected(hee_heads(), params(preset_share, 4), 4)
    cumulative = proj.cohort_retirements[:, 0, 0].sum()
    assert cumulative == pytest.approx(expected)
    assert round(cumulative) == {1.0: 196, 0.8: 157}[preset_share]
    # even over the four years: 49 a year at 100%, 39.2 at 80%
    assert proj.cohort_retirements[:, 0, 0].sum(axis=-1) == pytest.approx([expected / 4] * 4)


def test_one_year_hand_worked():
    # 100 GPs aged 60-64, hazard 0.22, leavers 5% of the 78 staying = 3.9, 1/5 of 74.1 age to 65-69
    heads = np.zeros((1, 2, B))
    heads[0, 0, 7] = 100
    proj = project_expected(heads, params(), 1)
    assert proj.retirements[0, 0, 0, 7] == pytest.approx(22.0)
    assert proj.leavers[0, 0, 0, 7] == pytest.approx(3.9)
    assert proj.heads[1, 0, 0, 7] == pytest.approx(74.1 * 0.8)
    assert proj.heads[1, 0, 0, 8] == pytest.approx(74.1 * 0.2)


def test_ageing_conserves_heads_without_exits():
    p = SupplyParameters(**{**params().__dict__, "hazard": np.zeros((2, B)), "leaver_rate": np.zeros(2)})
    heads = np.random.default_rng(3).integers(0, 9, size=(5, 2, B)).astype(float)
    proj = project_expected(heads, p, 10)
    assert proj.heads.sum(axis=(1, 2, 3)) == pytest.approx([heads.sum()] * 11)
    assert proj.heads[-1, ..., -1].sum() > heads[..., -1].sum()  # people reached 70+


def test_monte_carlo_mean_converges_to_expected():
    draws = 4000
    heads = hee_heads().astype(np.int64)
    p = params(0.8, 4)
    proj = project_expected(heads, p, 6)
    sim = simulate(heads, np.zeros((1, 2), np.int64), np.ones((2, B)) / B, np.ones((1, 2)), p, 6, draws, seed=7)
    mc = sim.heads[:, :, 0, 0]  # [t, d]
    se = mc.std(axis=1) / np.sqrt(draws)
    assert np.all(np.abs(mc.mean(axis=1) - proj.heads[:, 0, 0].sum(axis=-1)) <= 4 * se + 1e-9)
    coh = sim.cohort_retirements[:, :, 0, 0].sum(axis=0)
    assert abs(coh.mean() - 156.8) <= 4 * coh.std() / np.sqrt(draws)


def test_hee_100_monte_carlo_retires_every_cohort_member():
    heads = hee_heads().astype(np.int64)
    sim = simulate(heads, np.zeros((1, 2), np.int64), np.ones((2, B)) / B, np.ones((1, 2)), params(1.0, 4), 4, 200, 1)
    assert np.all(sim.cohort_retirements[:, :, 0, 0].sum(axis=0) == 196)


def test_same_seed_same_figures_other_seed_differs():
    heads = hee_heads().astype(np.int64)
    args = (heads, np.array([[3, 2]]), np.ones((2, B)) / B, np.ones((1, 2)), params(sigma=0.2, cv=0.25), 5, 300)
    a, b, c = simulate(*args, seed=11), simulate(*args, seed=11), simulate(*args, seed=12)
    assert np.array_equal(a.fte, b.fte)
    assert not np.array_equal(a.fte, c.fte)


def test_threads_give_the_same_figures():
    heads = hee_heads().astype(np.int64)
    args = (heads, np.array([[3, 2]]), np.ones((2, B)) / B, np.ones((1, 2)), params(sigma=0.2, cv=0.25), 3, 50)
    assert np.array_equal(simulate(*args, seed=5).fte, simulate(*args, seed=5, workers=2).fte)


def test_quantiles_ordered_and_fte_drift():
    heads = hee_heads().astype(np.int64)
    fte = np.array([[0.8, 0.6]])
    sim = simulate(heads, np.zeros((1, 2), np.int64), np.ones((2, B)) / B, fte, params(sigma=0.2, cv=0.25), 3, 500, 3)
    q = quantiles(sim.fte[:, :, 0, 0])
    assert np.all(q[0] <= q[1]) and np.all(q[1] <= q[2])
    assert sim.fte[0, 0, 0, 0] == pytest.approx(596 * 0.8)
    # with no exits FTE shrinks by the drift alone
    still = SupplyParameters(**{**params(leaver=0.0).__dict__, "hazard": np.zeros((2, B))})
    sim = simulate(heads, np.zeros((1, 2), np.int64), np.ones((2, B)) / B, fte, still, 2, 5, 3)
    assert sim.fte[2, :, 0, 0] == pytest.approx(596 * 0.8 * 0.99**2)


def test_unknown_ages_drawn_from_the_profile():
    profile = np.zeros((2, B))
    profile[:, 8] = 1.0  # everyone 65-69: hazard 0.35
    sim = simulate(np.zeros((1, 2, B), np.int64), np.array([[1000, 0]]), profile, np.ones((1, 2)), params(), 1, 200, 2)
    assert sim.retirements[0, :, 0, 0].mean() == pytest.approx(350, rel=0.03)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=2 * B, max_size=2 * B),
    st.floats(0, 1),
    st.integers(1, 6),
    st.floats(0, 1),
)
def test_invariants_no_negative_and_no_growth_without_recruits(cells, share, years, leaver):
    heads = np.array(cells, dtype=np.int64).reshape(1, 2, B)
    p = params(share, years, leaver=leaver, sigma=0.3, cv=0.3)
    proj = project_expected(heads, p, 8)
    total = proj.heads.sum(axis=(1, 2, 3))
    assert np.all(proj.heads >= -1e-9)
    assert np.all(np.diff(total) <= 1e-9)
    sim = simulate(heads, np.zeros((1, 2), np.int64), np.ones((2, B)) / B, np.ones((1, 2)), p, 8, 20, 0)
    assert np.all(sim.fte >= 0)
    assert np.all(np.diff(sim.heads, axis=0) <= 0)
