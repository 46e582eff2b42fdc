"""Real shared-data results, read once per test session (each big file is read at most once)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gpworkforce.ingest.snapshot_build import SHARED_FILES, read_shared


@pytest.fixture(scope="session")
def real(shared_data: Path) -> Callable[[str], Any]:
    """``real(name)`` -> the reader result for ``SHARED_FILES[name]``, cached for the session."""
    cache: dict[str, Any] = {}

    def get(name: str) -> Any:
        if name not in cache:
            cache[name] = read_shared(name, shared_data / SHARED_FILES[name].file)
        return cache[name]

    return get
