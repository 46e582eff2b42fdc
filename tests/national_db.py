"""The national test database: the shipped snapshot loaded into SQLite once per test run.

Every xdist worker of a run shares one copy (the build takes 10-20 s): the first to take the
lock builds it, the others wait and reuse it. Callers copy it before writing to it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from gpworkforce.services.importing import ensure_database

TEMPLATE_DIR_NAME = "gpworkforce-national-template"


def national_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the migrated SQLite file holding all of England, built on first use in this run."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / TEMPLATE_DIR_NAME
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "national.db"
    with (folder / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # other workers wait here while one builds
        if not target.exists():
            partial = folder / f"building-{os.getpid()}.db"
            engine, _ = ensure_database(f"sqlite:///{partial}")
            engine.dispose()  # last connection closed: WAL checkpointed into the file
            partial.replace(target)
    return target
