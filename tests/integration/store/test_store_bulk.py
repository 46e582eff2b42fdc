"""A national-size patients frame (6,139 practices x 2 sexes x 20 bands) saves and loads intact.

Timings are reported (``-s`` or the junit ``record_property``), not asserted.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from gpworkforce.nomenclature import AGE_BANDS, SEXES
from gpworkforce.store import load_frame, save_dataset, session_scope

PRACTICES = 6139


def national_patients() -> pd.DataFrame:
    codes = [f"P{i:05d}" for i in range(PRACTICES)]
    index = pd.MultiIndex.from_product([codes, SEXES, AGE_BANDS], names=["practice_code", "sex", "age_band"])
    frame = index.to_frame(index=False).astype("str")
    frame["patients"] = np.random.default_rng(7).integers(0, 3000, len(frame), dtype="int64")
    return frame


def test_national_patients_save_and_load(
    engine: Engine, record_property: Callable[[str, object], None], capsys: pytest.CaptureFixture[str]
) -> None:
    frame = national_patients()
    assert len(frame) == 245_560
    timings = {}
    start = time.perf_counter()
    with session_scope(engine) as s:
        save_dataset(s, "patients", "2025-10", frame, "gp-reg-pat-prac-quin-age.csv")
    timings["save"] = time.perf_counter() - start
    start = time.perf_counter()
    with session_scope(engine) as s:
        loaded, _ = load_frame(s, "patients")
    timings["load"] = time.perf_counter() - start
    pd.testing.assert_frame_equal(loaded, frame)
    for name, seconds in timings.items():
        record_property(f"{engine.dialect.name}_{name}_s", round(seconds, 2))
    with capsys.disabled():
        print(f"\n{engine.dialect.name}: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
