"""Unit: the shrink rule refuses a re-import that loses more than the allowed share of practices
(PCNs, sub-ICBs, years) or rows, for every kind, and accepts anything smaller (issue 11: mapping,
appointments, workforce, PCN workforce, IMD and QOF files at 60% each replaced the real ones)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gpworkforce.reference import load_reference
from gpworkforce.services.import_checks import COVERAGE_COLUMN, Coverage, coverage_of, shrink_problem

SHARE = 0.05


@given(
    kind=st.sampled_from(sorted(COVERAGE_COLUMN)),
    old_codes=st.integers(1, 10_000),
    old_rows=st.integers(1, 1_000_000),
    kept=st.floats(0, 1.2),
)
def test_refused_exactly_when_more_than_the_share_is_lost(
    kind: str, old_codes: int, old_rows: int, kept: float
) -> None:
    old = Coverage(old_rows, old_codes)
    new = Coverage(int(old_rows * kept), int(old_codes * kept))
    problem = shrink_problem(new, old, kind=kind, old_period="P", max_share=SHARE)
    lost = new.codes < old.codes * (1 - SHARE) or new.rows < old.rows * (1 - SHARE)
    assert (problem is not None) == lost
    if problem:
        assert "--allow-shrink" in problem and f"loaded {kind} P" in problem


@pytest.mark.parametrize("kind", ["mapping", "appointments", "workforce", "pcn_workforce", "imd", "qof"])
def test_a_file_at_60_percent_is_refused(kind: str) -> None:
    old = Coverage(392_796, 6_139)
    new = Coverage(int(392_796 * 0.6), int(6_139 * 0.6))
    assert shrink_problem(new, old, kind=kind, old_period="P", max_share=SHARE) is not None


def test_rows_alone_can_refuse() -> None:
    """Every practice still present but 40% of the rows gone (a file sorted by category, cut)."""
    problem = shrink_problem(
        Coverage(240_504, 6_139), Coverage(392_796, 6_139), kind="appointments", old_period="P", max_share=SHARE
    )
    assert problem is not None and "240,504 rows" in problem


def test_coverage_counts_distinct_codes() -> None:
    frame = pd.DataFrame({"pcn_code": ["U1", "U1", "U2"], "fte": [1.0, 2.0, 3.0]})
    assert coverage_of(frame, "pcn_workforce") == Coverage(3, 2)


def test_the_threshold_is_a_sourced_reference_parameter() -> None:
    reference = load_reference()
    assert reference.general["import_max_shrink_share"] == SHARE
    row = reference.tables["general"].set_index("parameter").loc["import_max_shrink_share"]
    assert "--allow-shrink" in row["source"]
