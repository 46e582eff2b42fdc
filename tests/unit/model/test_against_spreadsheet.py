"""Unit (property): the vectorised engine equals a plain per-practice loop on random inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gpworkforce.model.engine import Levers, ModelInputs, run
from gpworkforce.model.spreadsheet import gap_all_practices
from tests.unit.model.helpers import A, C, R, S, two_role_parameters


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**31 - 1), st.floats(0, 1))
def test_engine_equals_spreadsheet(n: int, seed: int, shift: float) -> None:
    rng = np.random.default_rng(seed)
    patients = rng.integers(0, 400, size=(n, A, S)).astype(float)
    fte = rng.uniform(0, 3, size=(n, R)) * (rng.uniform(size=(n, R)) > 0.4)
    z = rng.normal(size=(n, 2))
    clinical = np.ones(R, dtype=bool)
    clinical[-3:] = False
    p = two_role_parameters(
        need_coefficients=np.array([0.1, -0.05]),
        skills=rng.uniform(0, 0.5, size=(R, C)) * (rng.uniform(size=(R, C)) > 0.5),
        delivery_weight=rng.uniform(0, 1, size=(R, C)),
        patient_facing=rng.uniform(0.3, 0.9, size=R),
        minutes=rng.uniform(8, 40, size=R),
        clinical=clinical,
        category_share=rng.dirichlet(np.ones(C)),
        gp_share=rng.uniform(0, 1, size=C),
    )
    p = two_role_parameters(
        **{
            **p.__dict__,
            "skills": p.skills * ~p.gp_roles[:, None],
            "delivery_weight": p.delivery_weight * ~p.gp_roles[:, None],
        }
    )
    res = run(ModelInputs(patients, z, fte), p, Levers(shift_share=shift))
    loop = gap_all_practices(patients.tolist(), z.tolist(), fte.tolist(), p, shift)
    for i, (demand, capacity, unassigned) in enumerate(loop):
        np.testing.assert_allclose(res.demand_week[i], demand, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(res.capacity_week[i], capacity, rtol=1e-12)
        np.testing.assert_allclose(res.unassigned_week[i], unassigned, rtol=1e-9, atol=1e-9)
