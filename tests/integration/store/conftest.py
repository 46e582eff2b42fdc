"""Fixtures for the store tests: sample frames and a whole-database snapshot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from store_samples import sample_frames

from gpworkforce.store.models import metadata


@pytest.fixture
def samples() -> dict[str, pd.DataFrame]:
    return sample_frames()


Snapshot = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def snapshot() -> Callable[[Engine], Snapshot]:
    """Callable returning every row of every table (ordered by key), to compare before/after."""

    def take(engine: Engine) -> Snapshot:
        with engine.connect() as conn:
            return {
                table.name: [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
                for table in metadata.sorted_tables
            }

    return take
