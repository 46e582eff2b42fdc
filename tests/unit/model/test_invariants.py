"""Unit (property): invariants of the model that must hold for any valid inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gpworkforce.model.engine import Levers, ModelInputs, run
from gpworkforce.model.grouping import group_sum
from tests.unit.model.helpers import GP, NURSE, A, R, S, two_role_parameters

counts = arrays(
    np.float64, st.tuples(st.integers(1, 6), st.just(A), st.just(S)), elements=st.floats(0, 5000, allow_nan=False)
)
ftes = st.floats(0, 10, allow_nan=False)


def _fte(n: int, gp: float, nurse: float) -> np.ndarray:
    fte = np.zeros((n, R))
    fte[:, GP], fte[:, NURSE] = gp, nurse
    return fte


@settings(max_examples=60, deadline=None)
@given(counts, ftes, ftes, st.floats(0, 1))
def test_demand_is_conserved_across_roles(patients: np.ndarray, gp: float, nurse: float, shift: float) -> None:
    """Every booked appointment lands on a role or is reported unassigned, whatever the shift."""
    n = patients.shape[0]
    res = run(
        ModelInputs(patients, np.zeros((n, 0)), _fte(n, gp, nurse)), two_role_parameters(), Levers(shift_share=shift)
    )
    total = res.demand_week.sum(axis=1) + res.unassigned_week
    np.testing.assert_allclose(total, res.booked_year / 52.0, rtol=1e-9, atol=1e-9)
    assert (res.demand_week >= -1e-9).all()


@settings(max_examples=40, deadline=None)
@given(counts, ftes, ftes, st.floats(0.01, 5))
def test_more_staff_never_widens_the_gap(patients: np.ndarray, gp: float, nurse: float, extra: float) -> None:
    n = patients.shape[0]
    p = two_role_parameters()
    base = run(ModelInputs(patients, np.zeros((n, 0)), _fte(n, gp, nurse)), p)
    more = run(ModelInputs(patients, np.zeros((n, 0)), _fte(n, gp + extra, nurse)), p)
    assert (more.capacity_week[:, GP] > base.capacity_week[:, GP]).all()
    assert (more.total_gap_week <= base.total_gap_week + 1e-9).all()


@settings(max_examples=40, deadline=None)
@given(counts, ftes, st.floats(0.01, 10), st.floats(0, 0.5), st.floats(0.5, 1))
def test_shifting_lowers_gp_demand_monotonically(
    patients: np.ndarray, gp: float, nurse: float, lo: float, hi: float
) -> None:
    n = patients.shape[0]
    inp = ModelInputs(patients, np.zeros((n, 0)), _fte(n, gp, nurse))
    p = two_role_parameters()
    a, b = run(inp, p, Levers(shift_share=lo)), run(inp, p, Levers(shift_share=hi))
    assert (b.demand_week[:, GP] <= a.demand_week[:, GP] + 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(counts, ftes, ftes)
def test_many_practices_equal_one_at_a_time(patients: np.ndarray, gp: float, nurse: float) -> None:
    """Vectorised over practices gives the same answer as running each practice alone."""
    n = patients.shape[0]
    p = two_role_parameters()
    fte = _fte(n, gp, nurse)
    together = run(ModelInputs(patients, np.zeros((n, 0)), fte), p)
    for i in range(n):
        alone = run(ModelInputs(patients[i : i + 1], np.zeros((1, 0)), fte[i : i + 1]), p)
        np.testing.assert_allclose(alone.gap_week[0], together.gap_week[i], rtol=1e-12, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(1, 50), elements=st.floats(-1e6, 1e6, allow_nan=False)), st.data())
def test_group_sum_preserves_totals(values: np.ndarray, data: st.DataObject) -> None:
    groups = np.array(data.draw(st.lists(st.integers(-1, 4), min_size=len(values), max_size=len(values))))
    out = group_sum(values, groups, 5)
    np.testing.assert_allclose(out.sum(), values[groups >= 0].sum(), rtol=1e-9, atol=1e-6)
