"""The row tables are the database form of the canonical frames in ``gpworkforce.frames``."""

from __future__ import annotations

import pytest
from sqlalchemy import Float, Integer, String, Table

from gpworkforce.frames import FRAMES
from gpworkforce.store.tables import KIND_TABLES

SQL_TYPE = {"str": String, "int64": Integer, "float64": Float}


def test_one_table_per_frame_kind() -> None:
    assert list(KIND_TABLES) == list(FRAMES)


@pytest.mark.parametrize("kind", list(FRAMES))
def test_table_columns_are_the_frame_columns(kind: str) -> None:
    """Same names in the same order, matching types and the same nullability."""
    table = KIND_TABLES[kind].__table__
    assert isinstance(table, Table)
    stored = [c for c in table.columns if c.name not in ("id", "dataset_id")]
    assert [c.name for c in stored] == list(FRAMES[kind].names)
    for column, canonical in zip(stored, FRAMES[kind].columns, strict=True):
        assert isinstance(column.type, SQL_TYPE[canonical.dtype]), (kind, column.name)
        assert bool(column.nullable) == canonical.nullable, (kind, column.name)
