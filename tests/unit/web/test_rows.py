"""``records`` must give what pandas' ``to_dict("records")`` gives, only faster."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from gpworkforce.web.rows import records


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b and type(a) is type(b)


@given(
    data_frames(
        [
            column("code", elements=st.text(max_size=5)),
            column("patients", dtype=int, elements=st.integers(-(10**9), 10**9)),
            column("gap", dtype=float, elements=st.floats(allow_infinity=True, allow_nan=True)),
            column("flag", dtype=bool),
        ]
    )
)
def test_records_equal_pandas_to_dict(frame: pd.DataFrame) -> None:
    mine, theirs = records(frame), frame.to_dict(orient="records")
    assert len(mine) == len(theirs)
    for got, want in zip(mine, theirs, strict=True):
        assert list(got) == list(want)
        assert all(_same(got[k], want[k]) for k in want), (got, want)


def test_records_of_a_filtered_frame_ignore_the_index() -> None:
    frame = pd.DataFrame({"role": ["gp", "nurse", "hca"], "fte": [1.5, 0.0, 2.0]})
    assert records(frame[frame["fte"] > 0]) == [{"role": "gp", "fte": 1.5}, {"role": "hca", "fte": 2.0}]
