"""Property: any valid patients or appointments frame comes back unchanged."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from gpworkforce.nomenclature import (
    AGE_BANDS,
    APPT_MODES,
    APPT_STATUSES,
    BOOKING_INTERVALS,
    HCP_TYPES,
    NEED_CODES,
    SEXES,
)
from gpworkforce.store import load_frame, save_dataset, session_scope

# Any text PostgreSQL can hold (no NUL, no lone surrogates): names with accents, quotes, tabs.
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=0, max_size=12)
CODE = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=1, max_size=6)
COUNT = st.integers(0, 2**31 - 1)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _frame(rows: list[tuple[object, ...]], columns: list[str], count: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return frame.astype({c: ("int64" if c == count else "str") for c in columns})


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(st.one_of(CODE, TEXT), st.sampled_from(SEXES), st.sampled_from(AGE_BANDS), COUNT), max_size=30
    )
)
def test_patients_round_trip(engine: Engine, rows: list[tuple[object, ...]]) -> None:
    frame = _frame(rows, ["practice_code", "sex", "age_band", "patients"], "patients")
    with session_scope(engine) as s:
        save_dataset(s, "patients", "2025-01", frame, "p.csv")
    with session_scope(engine) as s:
        loaded, period = load_frame(s, "patients")
    assert period == "2025-01"
    pd.testing.assert_frame_equal(loaded, frame, check_exact=True)


@SETTINGS
@given(
    rows=st.lists(
        st.tuples(
            CODE,
            st.sampled_from(HCP_TYPES),
            st.sampled_from(APPT_MODES),
            st.sampled_from((*NEED_CODES, "inconsistent_mapping", "unmapped")),
            st.sampled_from(BOOKING_INTERVALS),
            st.sampled_from(APPT_STATUSES),
            COUNT,
        ),
        max_size=30,
    ),
    period=st.sampled_from(["2025-01", "2025-02"]),
)
def test_appointments_round_trip(engine: Engine, rows: list[tuple[object, ...]], period: str) -> None:
    columns = ["practice_code", "hcp_type", "mode", "category", "interval", "status", "appointments"]
    frame = _frame(rows, columns, "appointments")
    with session_scope(engine) as s:
        save_dataset(s, "appointments", period, frame, "a.csv")
    with session_scope(engine) as s:
        loaded, loaded_period = load_frame(s, "appointments", period)
    assert loaded_period == period
    pd.testing.assert_frame_equal(loaded, frame, check_exact=True)
