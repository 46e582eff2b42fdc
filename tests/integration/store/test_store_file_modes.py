"""Integration: the SQLite database (it holds password hashes) is private: file, -wal and -shm
0600, a folder it creates 0700, whatever the umask; a file an earlier version made 0644 is tightened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from gpworkforce.store import make_engine, upgrade


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_new_database_and_its_wal_are_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "data" / "deeper" / "gpworkforce.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        with engine.connect() as conn:  # an open connection keeps -wal and -shm on disk
            conn.execute(text("SELECT count(*) FROM audit_log"))
            assert _mode(path) == 0o600
            for suffix in ("-wal", "-shm"):
                assert _mode(Path(f"{path}{suffix}")) == 0o600, suffix
    finally:
        engine.dispose()
    assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700


def test_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch()
    os.chmod(path, 0o644)
    engine = make_engine(f"sqlite:///{path}")
    engine.dispose()
    assert _mode(path) == 0o600
