"""Private files: the SQLite database (it holds password hashes) and backups, readable by their owner only.

SQLite creates its ``-wal`` and ``-shm`` files with the permissions of the database file, so
creating the database 0600 before SQLite opens it keeps all three private whatever the umask.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Final

__all__ = ["PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE", "create_private_file", "ensure_private_database_file"]

PRIVATE_FILE_MODE: Final = 0o600
PRIVATE_DIR_MODE: Final = 0o700


def _make_private_dirs(folder: Path) -> None:
    """Create ``folder`` (and missing parents) 0700; folders that already exist are left as they are."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        path.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        os.chmod(path, PRIVATE_DIR_MODE)  # mkdir's mode is masked by the umask


def ensure_private_database_file(path: Path) -> None:
    """Create the SQLite file 0600 (its folder 0700) before SQLite does, and take group and
    other permissions off a file an earlier version created 0644, with its -wal and -shm."""
    _make_private_dirs(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE)
    os.close(fd)
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077 and candidate.owner() == Path(path).owner():
            os.chmod(candidate, mode & 0o700)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and 0600, refusing one that exists (the caller decides on overwriting)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    os.fchmod(fd, PRIVATE_FILE_MODE)
    os.close(fd)
