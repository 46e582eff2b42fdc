"""All-or-nothing: a save that fails at any point leaves the database exactly as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine
from store_samples import PERIODS

from gpworkforce.store import load_frame, repository, save_dataset, session_scope


@pytest.fixture
def populated(engine: Engine, samples: dict[str, pd.DataFrame]) -> Engine:
    with session_scope(engine) as s:
        for kind in ("patients", "appointments", "mapping"):
            save_dataset(s, kind, PERIODS[kind], samples[kind], f"{kind}.csv")
    return engine


def test_bad_value_in_last_row_changes_nothing(
    populated: Engine, samples: dict[str, pd.DataFrame], snapshot: Callable[[Engine], dict[str, list[tuple[Any, ...]]]]
) -> None:
    before = snapshot(populated)
    bad = pd.concat([samples["patients"]] * 50, ignore_index=True)
    bad.loc[len(bad) - 1, "age_band"] = None
    with pytest.raises(ValueError, match=f"row {len(bad) - 1}"), session_scope(populated) as s:
        save_dataset(s, "patients", PERIODS["patients"], bad, "bad.csv")
    assert snapshot(populated) == before


def test_failure_after_rows_were_written_is_rolled_back(
    populated: Engine,
    samples: dict[str, pd.DataFrame],
    snapshot: Callable[[Engine], dict[str, list[tuple[Any, ...]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The old dataset was already deleted and new rows inserted when the error comes."""
    before = snapshot(populated)
    original = repository._insert_rows

    def insert_then_fail(*args: Any) -> None:
        original(*args)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(repository, "_insert_rows", insert_then_fail)
    replacement = samples["patients"].iloc[:1]
    with pytest.raises(RuntimeError, match="disk on fire"), session_scope(populated) as s:
        save_dataset(s, "patients", PERIODS["patients"], replacement, "new.csv")
    assert snapshot(populated) == before


def test_failed_save_is_undone_even_if_caller_commits(
    populated: Engine,
    samples: dict[str, pd.DataFrame],
    snapshot: Callable[[Engine], dict[str, list[tuple[Any, ...]]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The SAVEPOINT: a caller that catches the error and commits other work does not keep half a save."""
    before = snapshot(populated)
    original = repository._insert_rows
    calls = 0

    def fail_first_call(*args: Any) -> None:
        nonlocal calls
        calls += 1
        original(*args)
        if calls == 1:
            raise RuntimeError("first save fails")

    monkeypatch.setattr(repository, "_insert_rows", fail_first_call)
    with session_scope(populated) as s:
        with pytest.raises(RuntimeError):
            save_dataset(s, "patients", PERIODS["patients"], samples["patients"].iloc[:1], "new.csv")
        save_dataset(s, "imd", PERIODS["imd"], samples["imd"], "imd.csv")
    after = snapshot(populated)
    for table in before:
        if table not in ("dataset", "imd_score"):
            assert after[table] == before[table], table
    with session_scope(populated) as s:
        pd.testing.assert_frame_equal(load_frame(s, "patients")[0], samples["patients"])
        pd.testing.assert_frame_equal(load_frame(s, "imd")[0], samples["imd"])
