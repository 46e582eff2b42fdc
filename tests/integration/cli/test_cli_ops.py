"""Integration: ``gpworkforce backup``, ``restore``, ``audit verify`` and ``audit purge-logins`` end to end (SQLite)."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gpworkforce.cli import app
from gpworkforce.services.audit import record_audit
from gpworkforce.services.database import unit_of_work
from gpworkforce.services.datasets import open_database


def _text(result: Any) -> str:
    """The command's output with line wrapping undone (the console wraps long messages at 80 columns)."""
    return " ".join(result.output.split())


def _env(path: Path) -> dict[str, str]:
    return {"GPWORKFORCE_DATABASE_URL": f"sqlite:///{path}"}


@pytest.fixture
def live(tmp_path: Path) -> Path:
    path = tmp_path / "live" / "g.db"
    engine = open_database(f"sqlite:///{path}")
    with unit_of_work(engine) as s:
        for i in range(3):
            record_audit(s, None, "note", "test", str(i), None, {"i": i}, None)
    engine.dispose()
    return path


def test_backup_restore_verify(live: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    backup = tmp_path / "b.backup"
    done = runner.invoke(app, ["backup", str(backup)], env=_env(live))
    assert done.exit_code == 0, done.output
    assert "3 audit rows" in _text(done) and stat.S_IMODE(backup.stat().st_mode) == 0o600
    again = runner.invoke(app, ["backup", str(backup)], env=_env(live))
    assert again.exit_code == 2 and "--force" in _text(again)
    refused = runner.invoke(app, ["restore", str(backup)], env=_env(live))
    assert refused.exit_code == 2 and "not empty" in _text(refused)
    fresh = tmp_path / "fresh" / "g.db"
    restored = runner.invoke(app, ["restore", str(backup)], env=_env(fresh))
    assert restored.exit_code == 0, restored.output
    assert "chain intact" in _text(restored)
    verified = runner.invoke(app, ["audit", "verify"], env=_env(fresh))
    assert verified.exit_code == 0 and "intact: 3 rows" in _text(verified)


def test_verify_exits_1_naming_the_broken_row(live: Path) -> None:
    with sqlite3.connect(live) as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET entity_key = 'forged' WHERE id = 2")
    conn.close()
    result = CliRunner().invoke(app, ["audit", "verify"], env=_env(live))
    assert result.exit_code == 1
    assert "BROKEN at row 2" in _text(result)


def test_purge_logins(live: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "purge-logins", "--older-than-days", "7"], env=_env(live))
    assert result.exit_code == 0, result.output
    assert "deleted 0 sign-in attempts older than 7 days" in _text(result)
