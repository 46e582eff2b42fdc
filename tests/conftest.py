"""Fixtures shared by every test kind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("GPWORKFORCE_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real NHS open data folder; tests that need it skip (with the reason) where it is absent."""
    if not (SHARED_DATA / "gp-reg-pat-prac-quin-age_2026-07.csv.gz").exists():
        pytest.skip(f"needs the published NHS files in {SHARED_DATA} (../shared/data); not on this machine")
    return SHARED_DATA


@pytest.fixture(scope="session")
def national_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database holding the shipped national snapshot, built once per test run
    (see tests/national_db.py). Copy it before writing to it."""
    from tests.national_db import national_template

    return national_template(tmp_path_factory)
