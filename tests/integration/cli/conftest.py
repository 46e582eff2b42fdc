"""The CLI tests' database: a copy of the national template per test, named by the environment."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def db(national_sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """URL of a writable copy of the national database, set as GPWORKFORCE_DATABASE_URL."""
    path = tmp_path / "national.db"
    shutil.copyfile(national_sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("GPWORKFORCE_DATABASE_URL", url)
    monkeypatch.setenv("GPWORKFORCE_CACHE_DIR", str(tmp_path / "cache"))
    yield url
