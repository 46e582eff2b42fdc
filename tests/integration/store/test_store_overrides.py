"""User FTE overrides and the cache fingerprint."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
from sqlalchemy import Engine
from store_samples import PERIODS

from gpworkforce.store import (
    database_fingerprint,
    delete_dataset,
    load_fte_overrides,
    save_dataset,
    session_scope,
    set_fte_override,
)


def _fingerprint(engine: Engine) -> str:
    with session_scope(engine) as s:
        return database_fingerprint(s)


def test_set_update_and_remove_override(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert set_fte_override(s, "A81001", "pharmacist", 1.5, "alice") is None
        assert set_fte_override(s, "A81001", "gp", 4.0, "alice") is None
        assert set_fte_override(s, "A81002", "gp", 2.0, "bob") is None
    with session_scope(engine) as s:
        assert set_fte_override(s, "A81001", "pharmacist", 0.8, "bob") == 1.5
    with session_scope(engine) as s:
        overrides = load_fte_overrides(s)
    assert overrides[["practice_code", "role", "fte", "updated_by"]].values.tolist() == [
        ["A81001", "gp", 4.0, "alice"],
        ["A81001", "pharmacist", 0.8, "bob"],
        ["A81002", "gp", 2.0, "bob"],
    ]
    assert str(overrides["updated_at"].dt.tz) == "UTC"
    assert overrides["fte"].dtype == "float64"

    with session_scope(engine) as s:
        assert set_fte_override(s, "A81002", "gp", None, "bob") == 2.0
        assert set_fte_override(s, "A81002", "gp", None, "bob") is None
    with session_scope(engine) as s:
        assert load_fte_overrides(s)["practice_code"].tolist() == ["A81001", "A81001"]


def test_empty_overrides_frame_has_the_columns(engine: Engine) -> None:
    with session_scope(engine) as s:
        frame = load_fte_overrides(s)
    assert list(frame.columns) == ["practice_code", "role", "fte", "updated_by", "updated_at"]
    assert frame.empty


def test_invalid_override_is_refused(engine: Engine) -> None:
    for role, fte, message in [("wizard", 1.0, "unknown role"), ("gp", -1.0, ">= 0"), ("gp", float("nan"), ">= 0")]:
        with session_scope(engine) as s, pytest.raises(ValueError, match=message):
            set_fte_override(s, "A81001", role, fte, "alice")
    with session_scope(engine) as s:
        assert load_fte_overrides(s).empty


def test_fingerprint_changes_with_every_change(engine: Engine, samples: dict[str, pd.DataFrame]) -> None:
    """Each write moves the fingerprint; it only comes back when the content is back to the same rows."""
    previous = _fingerprint(engine)
    empty = previous

    def changed() -> str:
        nonlocal previous
        now = _fingerprint(engine)
        assert now != previous, "fingerprint unchanged after a write"
        previous = now
        return now

    assert _fingerprint(engine) == previous, "stable while nothing changes"
    with session_scope(engine) as s:
        save_dataset(s, "imd", "IMD2019", samples["imd"], "a.csv")
    only_2019 = changed()
    with session_scope(engine) as s:
        save_dataset(s, "imd", "IMD2025", samples["imd"], "b.csv")
    changed()
    with session_scope(engine) as s:  # replace: same number of datasets, new id
        save_dataset(s, "imd", "IMD2025", samples["imd"], "c.csv")
    replaced = changed()
    with session_scope(engine) as s:
        delete_dataset(s, "imd", "IMD2025")
    assert changed() == only_2019, "same datasets (ids are never reused) -> same fingerprint"
    with session_scope(engine) as s:  # saving again after a delete never brings back an old id
        save_dataset(s, "imd", "IMD2025", samples["imd"], "d.csv")
    assert changed() != replaced
    with session_scope(engine) as s:
        set_fte_override(s, "A81001", "gp", 1.0, "alice")
    changed()
    with session_scope(engine) as s:
        set_fte_override(s, "A81001", "gp", 2.0, "alice")
    changed()
    with session_scope(engine) as s:
        set_fte_override(s, "A81001", "gp", 2.0, "bob")  # same value, still a new edit
    changed()
    with session_scope(engine) as s:
        set_fte_override(s, "A81001", "gp", None, "alice")
    assert changed() != empty


def test_fingerprint_sees_uncommitted_changes_in_same_session(engine: Engine) -> None:
    with session_scope(engine) as s:
        before = database_fingerprint(s)
        save_dataset(s, "imd", PERIODS["imd"], pd.DataFrame({"practice_code": ["X"], "imd_score": [1.0]}), "x")
        assert database_fingerprint(s) != before


def test_two_writers_setting_a_new_override_at_once_both_succeed(engine: Engine) -> None:
    """The first correction of a practice and role, made by two users at the same moment (issue 11's
    PostgreSQL load run: 5 of 353 FTE corrections answered 500). On PostgreSQL ``FOR UPDATE`` finds no
    row to lock, so both insert and the second meets the unique constraint; it must update instead.
    On SQLite the write lock makes them take turns."""
    first_inserted, first_may_commit = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        with session_scope(engine, write=True) as s:
            results["first"] = set_fte_override(s, "A81001", "pharmacist", 1.0, "alice")
            first_inserted.set()
            first_may_commit.wait(10)

    def second() -> None:
        first_inserted.wait(10)
        try:
            with session_scope(engine, write=True) as s:
                results["second"] = set_fte_override(s, "A81001", "pharmacist", 2.0, "bob")
        except Exception as exc:
            results["second"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    time.sleep(0.5)  # the second writer is now waiting on the first's uncommitted row (or lock)
    first_may_commit.set()
    for t in threads:
        t.join(30)
    assert results == {"first": None, "second": 1.0}
    with session_scope(engine) as s:
        rows = load_fte_overrides(s)[["role", "fte", "updated_by"]].values.tolist()
    assert rows == [["pharmacist", 2.0, "bob"]]
