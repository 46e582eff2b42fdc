"""Integration: ``serve --workers 2`` starts both workers on SQLite and PostgreSQL, and a CLI
write that cannot get the database is a clear "busy" message with exit status 75, not a traceback.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gpworkforce.cli import BUSY_EXIT, main
from gpworkforce.store import make_engine, session_scope
from gpworkforce.store.accounts import User

GPWORKFORCE = Path(sys.executable).with_name("gpworkforce")
#: Generous: two workers import the web app at once on a shared, loaded machine.
START_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_with_two_workers_starts_both(migrated_db_url: str, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "GPWORKFORCE_DATABASE_URL": migrated_db_url,  # empty, migrated: workers start without warm-up data
        "GPWORKFORCE_SECRET_KEY": secrets.token_urlsafe(32),
        "GPWORKFORCE_CACHE_DIR": str(tmp_path / "cache"),
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(GPWORKFORCE), "serve", "--port", str(port), "--workers", "2"], env=env, stdout=out, stderr=out
        )
    started = time.monotonic()
    try:
        deadline = started + START_SECONDS
        text = ""
        while time.monotonic() < deadline and proc.poll() is None:
            text = log.read_text(errors="replace")
            if text.count("Application startup complete") >= 2:
                break
            time.sleep(0.5)
        assert text.count("Application startup complete") >= 2, text[-3000:]
        assert "died" not in text and "not ready" not in text, text[-3000:]
        print(f"two workers ready in {time.monotonic() - started:.1f} s")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
            assert response.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)  # the uvicorn parent stops its workers
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_cli_write_while_the_database_is_held_says_busy(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "held.db"
    shutil.copyfile(sqlite_template, path)
    migrated_db_url = f"sqlite:///{path}"
    monkeypatch.setenv("GPWORKFORCE_DATABASE_URL", migrated_db_url)
    monkeypatch.setenv("GPWORKFORCE_BUSY_TIMEOUT", "0.3")
    monkeypatch.setattr(
        sys, "argv", ["gpworkforce", "user", "add", "a@example.org", "--role", "admin", "--password-stdin"]
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(secrets.token_urlsafe(16) + "\n"))
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # an import in another process holds the write lock
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert exited.value.code == BUSY_EXIT
    err = capsys.readouterr().err
    assert "busy" in err and "try again" in err and "Traceback" not in err
    engine = make_engine(migrated_db_url)
    try:
        with session_scope(engine) as s:
            assert s.scalar(select(func.count()).select_from(User)) == 0  # wrote nothing
    finally:
        engine.dispose()
