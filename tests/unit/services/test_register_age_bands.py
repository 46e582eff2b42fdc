"""Unit: a register entry's supply age band, and the register overlay on supply inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gpworkforce.reference.supply import SUPPLY_BANDS
from gpworkforce.services.supply_inputs import ESTIMATE, REGISTER, SupplyInputs, age_band_of, register_overlay


def test_age_band_from_birth_year_else_band() -> None:
    assert age_band_of(1964, None, 2026) == "60_64"  # 62
    assert age_band_of(1961, "40_44", 2026) == "65_69"  # 65: the birth year wins
    assert age_band_of(2000, None, 2026) == "under_30"
    assert age_band_of(1950, None, 2026) == "70_plus"
    assert age_band_of(1996, None, 2026) == "30_34"  # 30
    assert age_band_of(None, "55_59", 2026) == "55_59"
    assert age_band_of(None, "unknown", 2026) is None
    assert age_band_of(pd.NA, None, 2026) is None


def _inputs() -> SupplyInputs:
    n_b = len(SUPPLY_BANDS)
    return SupplyInputs(
        practice_codes=("A1", "B2"),
        known=np.zeros((2, 2, n_b)),
        unknown=np.array([[3.0, 2.0], [4.0, 1.0]]),
        fte_per_head=np.array([[0.8, 0.6], [0.8, 0.6]]),
        fte=np.array([[2.4, 1.2], [3.2, 0.6]]),
        source=np.full((2, 2), ESTIMATE),
        has_age_data=np.zeros((2, 2), dtype=bool),
    )


def test_overlay_replaces_register_practices_only() -> None:
    people = pd.DataFrame(
        {
            "practice_code": ["A1", "A1", "Z9"],
            "role": ["gp", "gp", "gp"],
            "fte": [1.0, 0.5, 1.0],
            "birth_year": [1964, None, 1980],
            "age_band": [None, "unknown", None],
        }
    )
    inp = _inputs()
    out = register_overlay(inp, people, year=2026)
    assert out.known[0, 0, SUPPLY_BANDS.index("60_64")] == 1 and out.known[0, 0].sum() == 1
    assert out.fte_per_head[0, 0] == 0.75  # (1 + 0.5) / 2 heads
    assert out.unknown[0, 0] == 2.4 / 0.75 - 1  # capacity FTE kept: the unknown-age heads fill it
    assert list(out.source[0]) == [REGISTER, REGISTER] and list(out.source[1]) == [ESTIMATE, ESTIMATE]
    assert list(out.has_age_data[0]) == [True, False]  # no nurse on the register: no age data
    np.testing.assert_array_equal(out.unknown[1], inp.unknown[1])
    assert register_overlay(inp, people.iloc[:0]) is inp
