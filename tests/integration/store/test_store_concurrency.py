"""Concurrent writers on a real SQLite file: they queue, and one that waits too long is told "busy".

Issue 11: two imports at once died with ``database is locked`` after 8.7 s, because a unit of
work began deferred (read first, write later) and SQLite refuses to upgrade a read snapshot
that another writer has since overtaken, whatever the busy timeout.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select, text
from store_samples import PERIODS

from gpworkforce.ingest.result import IngestResult
from gpworkforce.services import importing
from gpworkforce.store import DatabaseBusy, list_periods, make_engine, session_scope, upgrade
from gpworkforce.store import engine as engine_module
from gpworkforce.store.accounts import LoginAttempt


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "concurrent.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    eng.dispose()
    yield path


def _attempts(engine: Engine) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(LoginAttempt)) or 0


def _add_attempt(session: Any, email: str) -> None:
    session.add(LoginAttempt(email=email, ip=None, at=datetime.now(UTC), success=False))
    session.flush()


def test_every_connection_has_wal_and_the_busy_timeout(sqlite_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPWORKFORCE_BUSY_TIMEOUT", "7.5")
    eng = make_engine(f"sqlite:///{sqlite_path}", pool_size=3)
    try:
        conns = [eng.connect() for _ in range(3)]  # three distinct pooled connections
        for conn in conns:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7500
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        for conn in conns:
            conn.close()
    finally:
        eng.dispose()


def test_a_writer_that_read_first_waits_for_the_other_instead_of_failing(sqlite_path: Path) -> None:
    """A reads, B writes and commits while A still holds its read, then A writes.

    Begun deferred, A's write fails at once ("database is locked": its snapshot is stale);
    begun IMMEDIATE, B simply waits for A.
    """
    eng = make_engine(f"sqlite:///{sqlite_path}", busy_timeout=10)
    a_has_read = threading.Event()
    errors: list[BaseException] = []

    def writer_a() -> None:
        try:
            with session_scope(eng, write=True) as s:
                s.scalar(select(func.count()).select_from(LoginAttempt))
                a_has_read.set()
                time.sleep(0.4)  # B tries to write meanwhile
                _add_attempt(s, "a@example.org")
        except BaseException as exc:
            errors.append(exc)
            a_has_read.set()

    def writer_b() -> None:
        a_has_read.wait(5)
        try:
            with session_scope(eng, write=True) as s:
                s.scalar(select(func.count()).select_from(LoginAttempt))
                _add_attempt(s, "b@example.org")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    try:
        assert errors == []
        assert _attempts(eng) == 2
    finally:
        eng.dispose()


def test_a_writer_kept_waiting_too_long_is_told_busy_and_writes_nothing(sqlite_path: Path) -> None:
    eng = make_engine(f"sqlite:///{sqlite_path}", busy_timeout=0.3)
    holder = sqlite3.connect(sqlite_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="try again"), session_scope(eng, write=True) as s:
            _add_attempt(s, "late@example.org")
        assert time.monotonic() - started < 5  # the timeout applied, not the 30 s default
        holder.execute("ROLLBACK")
        assert _attempts(eng) == 0
    finally:
        holder.close()
        eng.dispose()


def test_readers_are_not_blocked_by_a_writer(sqlite_path: Path) -> None:
    eng = make_engine(f"sqlite:///{sqlite_path}", busy_timeout=0.3)
    holder = sqlite3.connect(sqlite_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute(
            "INSERT INTO login_attempt (email, ip, at, success) VALUES ('x@example.org', NULL, '2026-01-01', 0)"
        )
        assert _attempts(eng) == 0  # a read unit of work sees the last commit at once (WAL)
        holder.execute("COMMIT")
        assert _attempts(eng) == 1
    finally:
        holder.close()
        eng.dispose()


def test_two_imports_at_once_both_land(
    sqlite_path: Path, samples: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's failure: two ``import`` commands at once; each reads the loaded periods, then writes."""
    eng = make_engine(f"sqlite:///{sqlite_path}", busy_timeout=20)
    original = importing.store.save_dataset

    def slow_save(session: Any, result: Any) -> int:
        time.sleep(0.3)  # both imports are inside their transactions at the same time
        return original(session, result)

    monkeypatch.setattr(importing.store, "save_dataset", slow_save)
    periods = [PERIODS["patients"], "2001-01"]
    results = [
        IngestResult("patients", samples["patients"], p, f"patients-{p}.csv", len(samples["patients"]), ())
        for p in periods
    ]
    errors: list[BaseException] = []

    def run(result: IngestResult) -> None:
        try:
            importing.save(eng, [result])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        assert errors == []
        with session_scope(eng) as s:
            assert sorted(list_periods(s, "patients")) == sorted(periods)
    finally:
        eng.dispose()


def test_migration_waits_for_a_writer_too(sqlite_path: Path) -> None:
    """``upgrade`` runs as a write transaction: a held lock makes it busy, not a traceback."""
    eng = make_engine(f"sqlite:///{sqlite_path}", busy_timeout=0.2)
    holder = sqlite3.connect(sqlite_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseBusy):
            upgrade(eng)
        holder.execute("ROLLBACK")
        upgrade(eng)
    finally:
        holder.close()
        eng.dispose()


def test_write_option_begins_immediate(sqlite_path: Path) -> None:
    eng = make_engine(f"sqlite:///{sqlite_path}")
    seen: list[str] = []
    try:
        with engine_module.writer(eng).connect() as conn:
            conn.connection.dbapi_connection.set_trace_callback(seen.append)  # type: ignore[union-attr]
            with conn.begin():
                conn.execute(text("SELECT 1"))
        assert "BEGIN IMMEDIATE" in seen
    finally:
        eng.dispose()


def test_no_free_pooled_connection_is_busy_not_a_crash(sqlite_path: Path) -> None:
    """Writers waiting for the lock hold connections; a reader that cannot get one is told busy."""
    eng = make_engine(f"sqlite:///{sqlite_path}", pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        # the pool's only connection is in use
        with eng.connect(), pytest.raises(DatabaseBusy), session_scope(eng) as s:
            s.scalar(select(func.count()).select_from(LoginAttempt))
    finally:
        eng.dispose()


def test_the_sqlite_pool_outnumbers_the_web_threads(sqlite_path: Path) -> None:
    eng = make_engine(f"sqlite:///{sqlite_path}")
    try:
        assert eng.pool.size() + eng.pool._max_overflow >= 40  # type: ignore[attr-defined]
    finally:
        eng.dispose()
