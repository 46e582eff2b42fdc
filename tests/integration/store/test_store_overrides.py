"""User FTE overrides and the cache fingerprint."""

from __future__ import annotations

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
