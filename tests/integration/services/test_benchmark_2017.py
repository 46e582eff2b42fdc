"""Integration: benchmark ratios reproduce the published 2017 England GP figure.

DESIGN.md quotes NHS Digital's 2017 practice-level indicators: 2,074 patients per GP FTE and
0.48 GP FTE per 1,000 patients. The HEEC-derived table's FY2017 is the September 2016
snapshot of qualified permanent GPs (excluding locums and registrars); it gives 2,068 — 0.3%
away. The September 2017 snapshot (FY2018) gives 2,123, so the published figure sits between
the two snapshots. See docs/model.md, "Benchmarks".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gpworkforce.ingest import read_heec_workforce
from gpworkforce.services.benchmarks import ratios


def _gp_ratio(shared: Path, year: int) -> tuple[float, float]:
    result = read_heec_workforce(shared / "heec-gpw-workforce-year_fy2016-fy2024_DERIVED.csv.gz", year=year)
    frame = result.frame
    gp = frame[frame["staff"] == "gp"]
    import pandas as pd

    raw = pd.read_csv(shared / "heec-gpw-workforce-year_fy2016-fy2024_DERIVED.csv.gz")
    raw = raw[(raw["Year"] == year) & raw["TOTAL_GP_EXTGL_FTE"].notna()]
    patients = float(raw["TOTAL_PATIENTS"].sum())
    per_1000, per_fte = ratios(np.array([gp["fte"].sum()]), patients)
    return float(per_fte[0]), float(per_1000[0])


def test_2017_patients_per_gp_fte_matches_published(shared_data: Path) -> None:
    per_fte, per_1000 = _gp_ratio(shared_data, 2017)
    assert per_fte == pytest.approx(2074, rel=0.01)
    assert per_1000 == pytest.approx(0.48, abs=0.005)
    later, _ = _gp_ratio(shared_data, 2018)
    assert per_fte < 2074 < later  # the published value lies between the 2016 and 2017 snapshots
