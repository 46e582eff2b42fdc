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
    """An SQLite database holding the shipped national snapshot, built once per test run.

    Shared by every xdist worker (the build takes 10-20 s): the first worker to get the lock
    builds it, the others wait and reuse it. Copy it before writing to it.
    """
    import fcntl
    import hashlib

    from gpworkforce.services.importing import SNAPSHOT_DIR, ensure_database

    manifest = (SNAPSHOT_DIR / "MANIFEST.json").read_bytes()
    key = hashlib.sha256(manifest).hexdigest()[:12]
    root = tmp_path_factory.getbasetemp().parent  # common to all workers of this run
    path = root / f"national-{key}.db"
    with (root / f"national-{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            partial = path.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            engine, _ = ensure_database(f"sqlite:///{partial}")
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            partial.replace(path)
        fcntl.flock(lock, fcntl.LOCK_UN)
    return path
