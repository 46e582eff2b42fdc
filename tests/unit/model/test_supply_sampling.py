"""The supply Monte Carlo's sampling: each person's outcome distribution equals the yearly flows of
the expected projection, the guide-table lookup equals a plain search, and draws vary as binomials."""

from __future__ import annotations

import numpy as np
import pytest

from gpworkforce.model.sampling import BUCKET_BITS, guide_tables, lookup
from gpworkforce.model.supply import (
    KINDS,
    SupplyParameters,
    exit_probabilities,
    project_expected,
    simulate,
)

B = 10
AGEING = np.array([0.2] * 9 + [0.0])
HAZARD = np.array([[0, 0, 0, 0, 0, 0.02, 0.11, 0.22, 0.35, 0.6], [0, 0, 0, 0, 0.01, 0.03, 0.1, 0.3, 0.5, 0.7]])


def params(share: float, years: int) -> SupplyParameters:
    return SupplyParameters(
        hazard=HAZARD,
        leaver_rate=np.array([0.05, 0.08]),
        ageing=AGEING,
        fte_drift=np.zeros(2),
        cohort_share=np.array([share, 0.0]),
        cohort_bands=np.array([[False] * 6 + [True] * 4, [False] * B]),
        cohort_years=years,
    )


@pytest.mark.parametrize(("share", "cohort_years"), [(0.0, 0), (0.8, 4), (1.0, 4)])
def test_one_head_outcomes_equal_the_expected_flows(share, cohort_years):
    p, years = params(share, cohort_years), 7
    probs = exit_probabilities(np.ones(1), p.leaver_rate[None], p, years)
    for r in range(2):
        for b in range(B):
            heads = np.zeros((2, B))
            heads[r, b] = 1.0
            proj = project_expected(heads, p, years)
            c = int(p.cohort_bands[r, b] and p.cohort_share[r] > 0)
            got = probs[0, c, r, b]
            by_year = got[:-1].reshape(years, KINDS)
            assert by_year[:, 0] + by_year[:, 2] == pytest.approx(proj.retirements.sum(axis=(1, 2)), abs=1e-12)
            assert by_year[:, 1] == pytest.approx(proj.leavers.sum(axis=(1, 2)), abs=1e-12)
            assert by_year[:, 2] == pytest.approx(proj.cohort_retirements.sum(axis=(1, 2)), abs=1e-12)
            assert got[-1] == pytest.approx(proj.heads[-1].sum(), abs=1e-12)
            assert got.sum() == pytest.approx(1.0, abs=1e-12)


def test_lookup_equals_a_plain_search_at_every_edge():
    rng = np.random.default_rng(4)
    probs = rng.dirichlet(np.full(31, 0.3), size=40)
    probs[0] = 0.0
    probs[0, 5] = 1.0  # certain outcome
    probs[1, :3] = [1e-9, 2e-9, 0.0]  # outcomes too rare for a bucket
    thresholds, table = guide_tables(probs)
    width = 1 << (32 - BUCKET_BITS)
    u, row = [], []
    for i in range(len(probs)):
        edges = np.concatenate([np.arange(0, 2**32, width), thresholds[i].astype(np.int64)])
        cand = np.concatenate([edges - 1, edges, edges + 1, rng.integers(0, 2**32, 2000)])
        cand = cand[(cand >= 0) & (cand < 2**32)]
        u.append(cand)
        row.append(np.full(len(cand), i))
    uu = np.concatenate(u).astype(np.uint32)
    rr = np.concatenate(row).astype(np.int64)
    got = lookup(uu, rr, thresholds, table)
    want = np.empty(len(uu), np.int64)
    for i in range(len(probs)):
        at = rr == i
        want[at] = np.searchsorted(thresholds[i], uu[at].astype(np.uint64), side="right")
    assert np.array_equal(got.astype(np.int64), want)
    assert np.all(got[rr == 0] == 5)


def test_heads_vary_as_binomials_between_draws():
    # 300 GPs aged 60-64, no parameter uncertainty: heads after t years ~ Binomial(300, S_t)
    p, years, draws = params(0.0, 0), 5, 4000
    known = np.zeros((1, 2, B), np.int64)
    known[0, 0, 7] = 300
    sim = simulate(known, np.zeros((1, 2), np.int64), np.ones((2, B)) / B, np.ones((1, 2)), p, years, draws, 9)
    survive = project_expected(known[0].astype(float), p, years).heads.sum(axis=(1, 2)) / 300
    mc = sim.heads[1:, :, 0, 0]
    var = 300 * survive[1:] * (1 - survive[1:])
    assert mc.var(axis=1) == pytest.approx(var, rel=0.12)
    # people of one practice leave independently: retirements in a year are not all-or-none
    assert 0 < sim.retirements[0, :, 0, 0].std() < 300 * 0.3


def test_cohort_retirements_follow_the_preset_schedule():
    p = params(0.8, 4)
    known = np.zeros((1, 2, B), np.int64)
    known[0, 0, 6] = 500
    sim = simulate(known, np.zeros((1, 2), np.int64), np.ones((2, B)) / B, np.ones((1, 2)), p, 6, 2000, 3)
    mean = sim.cohort_retirements[:, :, 0, 0].mean(axis=1)
    assert mean[:4] == pytest.approx([100.0] * 4, rel=0.02)  # 80% of 500 over 4 years, evenly
    assert np.all(sim.cohort_retirements[4:] == 0)
