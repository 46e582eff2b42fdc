"""Saving, loading, replacing and deleting canonical frames."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, delete, func, select
from store_samples import PERIODS

from gpworkforce.frames import FRAMES
from gpworkforce.store import (
    KIND_TABLES,
    canonical_columns,
    delete_dataset,
    empty_frame,
    list_datasets,
    list_periods,
    load_frame,
    save_dataset,
    session_scope,
)
from gpworkforce.store.repository import STR_DTYPE

DTYPES = {"str": STR_DTYPE, "int64": np.dtype("int64"), "float64": np.dtype("float64")}


def _row_count(engine: Engine, kind: str) -> int:
    with session_scope(engine) as s:
        return int(s.execute(select(func.count()).select_from(KIND_TABLES[kind])).scalar_one())


def test_round_trip_every_kind(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    """All ten kinds saved side by side in one database come back equal, with canonical dtypes."""
    ids = {}
    with session_scope(engine) as s:
        for kind in FRAMES:
            ids[kind] = save_dataset(s, kind, PERIODS[kind], samples[kind], f"{kind}.csv", notes=("n1", "n2"))
    with session_scope(engine) as s:
        for kind in FRAMES:
            loaded, period = load_frame(s, kind)
            assert period == PERIODS[kind], kind
            assert list(loaded.columns) == list(canonical_columns(kind)), kind
            assert {c: loaded[c].dtype for c in loaded} == {c.name: DTYPES[c.dtype] for c in FRAMES[kind].columns}, kind
            pd.testing.assert_frame_equal(loaded, samples[kind], check_exact=True, obj=kind)
        listed = list_datasets(s).set_index("kind")
    assert sorted(listed.index) == sorted(FRAMES)
    for kind in FRAMES:
        row = listed.loc[kind]
        assert (row["id"], row["period"], row["source_file"], row["rows"], row["notes"]) == (
            ids[kind],
            PERIODS[kind],
            f"{kind}.csv",
            len(samples[kind]),
            "n1\nn2",
        ), kind
    assert str(listed["imported_at"].dt.tz) == "UTC"


def test_ingest_result_object_is_accepted(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    """The architecture contract's ``save_dataset(session, result)`` form."""

    @dataclass(frozen=True)
    class Result:
        kind: str
        frame: pd.DataFrame
        period: str | None
        source_file: str
        rows_read: int
        notes: tuple[str, ...]

    result = Result("imd", samples["imd"], "IMD2025", "imd.csv", 2, ("from test",))
    with session_scope(engine) as s:
        save_dataset(s, result)
        loaded, period = load_frame(s, "imd")
        assert list_datasets(s)["notes"].tolist() == ["from test"]
    assert period == "IMD2025"
    pd.testing.assert_frame_equal(loaded, samples["imd"])
    with session_scope(engine) as s, pytest.raises(ValueError, match="no period"):
        save_dataset(s, Result("imd", samples["imd"], None, "imd.csv", 2, ()))


def test_same_period_replaces_and_other_period_is_kept(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    first = samples["patients"]
    second = first.iloc[:2].reset_index(drop=True)
    with session_scope(engine) as s:
        old_id = save_dataset(s, "patients", "2025-09", first, "sep.csv")
    with session_scope(engine) as s:
        new_id = save_dataset(s, "patients", "2025-09", second, "sep-revised.csv")
    assert new_id != old_id
    assert _row_count(engine, "patients") == len(second)
    with session_scope(engine) as s:
        pd.testing.assert_frame_equal(load_frame(s, "patients", "2025-09")[0], second)
        listed = list_datasets(s)
    assert listed[["kind", "period", "source_file", "rows"]].values.tolist() == [
        ["patients", "2025-09", "sep-revised.csv", 2]
    ]

    with session_scope(engine) as s:
        save_dataset(s, "patients", "2025-10", first, "oct.csv")
    with session_scope(engine) as s:
        assert list_periods(s, "patients") == ["2025-09", "2025-10"]
        latest, period = load_frame(s, "patients")
        older, older_period = load_frame(s, "patients", "2025-09")
    assert period == "2025-10" and older_period == "2025-09"
    pd.testing.assert_frame_equal(latest, first)
    pd.testing.assert_frame_equal(older, second)
    assert _row_count(engine, "patients") == len(first) + len(second)


def test_latest_period_sorts_as_text(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    with session_scope(engine) as s:
        for period in ["FY2024", "FY2025", "FY2023"]:
            save_dataset(s, "workforce", period, samples["workforce"], f"{period}.csv")
    with session_scope(engine) as s:
        assert load_frame(s, "workforce")[1] == "FY2025"


def test_missing_dataset_loads_empty_canonical_frame(engine: Engine) -> None:
    with session_scope(engine) as s:
        frame, period = load_frame(s, "qof")
        assert period is None
        pd.testing.assert_frame_equal(frame, empty_frame("qof"))
        assert load_frame(s, "qof", "2099-01")[1] is None
        assert list(frame.columns) == list(canonical_columns("qof"))
        assert len(list_datasets(s)) == 0


def test_empty_frame_round_trips(engine: Engine) -> None:
    with session_scope(engine) as s:
        save_dataset(s, "imd", "IMD2019", empty_frame("imd"), "empty.csv")
    with session_scope(engine) as s:
        frame, period = load_frame(s, "imd")
    assert period == "IMD2019"
    pd.testing.assert_frame_equal(frame, empty_frame("imd"))


def test_delete_dataset_removes_its_rows(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    with session_scope(engine) as s:
        save_dataset(s, "appointments", "2025-10", samples["appointments"], "a.csv")
        save_dataset(s, "appointments", "2025-11", samples["appointments"], "b.csv")
    with session_scope(engine) as s:
        assert delete_dataset(s, "appointments", "2025-10") is True
        assert delete_dataset(s, "appointments", "2025-10") is False
    assert _row_count(engine, "appointments") == len(samples["appointments"])
    with session_scope(engine) as s:
        assert list_periods(s, "appointments") == ["2025-11"]


def test_rows_cascade_when_dataset_row_is_deleted(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    """ON DELETE CASCADE is live (SQLite needs PRAGMA foreign_keys, set by make_engine)."""
    from gpworkforce.store.tables import Dataset

    with session_scope(engine) as s:
        save_dataset(s, "gp_age", "2025-09", samples["gp_age"], "g.csv")
    with session_scope(engine) as s:
        s.execute(delete(Dataset))
    assert _row_count(engine, "gp_age") == 0


INVALID: list[tuple[str, Callable[[pd.DataFrame], pd.DataFrame], str]] = [
    ("patients", lambda f: f.drop(columns="sex"), "missing columns"),
    ("patients", lambda f: f.assign(extra=1), "unexpected columns"),
    ("patients", lambda f: f.assign(patients=f["patients"].astype("float64") + 0.5), "whole number"),
    ("patients", lambda f: f.assign(patients=f["patients"] * 10), "out of range"),
    ("patients", lambda f: f.assign(practice_code=f["practice_code"].where(f.index < 3)), "row 3"),
    ("workforce", lambda f: f.assign(fte=[1.0, np.nan, 2.0]), "missing value"),
    ("workforce", lambda f: f.assign(staff=[1, 2, 3]), "expected text"),
    ("imd", lambda f: f.assign(imd_score=["a", "b"]), "expected a number"),
]


def test_invalid_frames_are_rejected_before_writing(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    for kind, mutate, message in INVALID:
        with session_scope(engine) as s, pytest.raises(ValueError, match=message):
            save_dataset(s, kind, "2025-01", mutate(samples[kind]), "bad.csv")
    with session_scope(engine) as s:
        assert len(list_datasets(s)) == 0


def test_unknown_kind_is_rejected(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    with session_scope(engine) as s, pytest.raises(ValueError, match="unknown dataset kind"):
        save_dataset(s, "bananas", "2025-01", samples["imd"], "x.csv")


def test_object_dtype_and_nullable_ints_are_normalised(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    """Frames built by hand (object columns, Int64) load back with canonical dtypes."""
    frame = samples["patients"].astype({"practice_code": object, "patients": "Int64"})
    with session_scope(engine) as s:
        save_dataset(s, "patients", "2025-01", frame, "x.csv")
        loaded, _ = load_frame(s, "patients")
    pd.testing.assert_frame_equal(loaded, samples["patients"])
