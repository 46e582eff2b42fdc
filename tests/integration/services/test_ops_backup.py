"""Integration: ``backup`` then ``restore`` reproduces every table exactly, on SQLite and PostgreSQL,
also while another thread writes; restore refuses what it must; backups are private files.

The defect these catch: a ``cp`` of the live SQLite file held 128 of 237 audit rows and 1 of 5
FTE corrections (the rest was in the WAL).
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from ops_data import every_table, fill
from sqlalchemy import Engine, func, select

from gpworkforce import store
from gpworkforce.services import backup as svc
from gpworkforce.services.audit import record_audit
from gpworkforce.services.audit_chain import verify_chain
from gpworkforce.store.accounts import AuditLog


def _fresh(url: str) -> Engine:
    return store.make_engine(url)


@pytest.fixture
def second_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second empty database of the same backend (an unmigrated SQLite path or PostgreSQL database)."""
    if db_backend == "sqlite":
        return f"sqlite:///{tmp_path / 'restored' / 'gpworkforce.db'}"
    url: str = request.getfixturevalue("db_url")
    return url


def test_round_trip_reproduces_every_table(engine: Engine, second_url: str, tmp_path: Path) -> None:
    fill(engine)
    before = every_table(engine)
    done = svc.backup_database(engine, tmp_path / "gpw.backup")
    assert done.audit_rows == len(before["audit_log"]) > 20
    assert stat.S_IMODE((tmp_path / "gpw.backup").stat().st_mode) == 0o600
    target = _fresh(second_url)
    try:
        result = svc.restore_database(target, tmp_path / "gpw.backup")
        assert result.audit.intact and result.audit.rows == len(before["audit_log"])
        after = every_table(target)
    finally:
        target.dispose()
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name
    for name in ("audit_log", "practice_fte_override", "saved_scenario", "user_account", "login_attempt"):
        assert before[name], f"the test data should fill {name}"


def test_restore_refuses_a_database_with_rows_unless_forced(engine: Engine, tmp_path: Path) -> None:
    fill(engine, corrections=1, audits=1)
    svc.backup_database(engine, tmp_path / "a.backup")
    with store.session_scope(engine) as s:
        record_audit(s, None, "after_backup", "test", None, None, None, None)
    with pytest.raises(svc.BackupError, match=r"not empty .*--force"):
        svc.restore_database(engine, tmp_path / "a.backup")
    with store.session_scope(engine) as s:  # nothing was touched
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "after_backup")) == 1
    result = svc.restore_database(engine, tmp_path / "a.backup", force=True)
    assert result.audit.intact
    with store.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "after_backup")) == 0
        # the restored chain goes on from where the backup left it
        record_audit(s, None, "after_restore", "test", None, None, None, None)
    with store.session_scope(engine) as s:
        assert verify_chain(s).intact


def test_backup_refuses_to_overwrite_unless_forced(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "x.backup").write_text("keep me")
    with pytest.raises(svc.BackupError, match="exists"):
        svc.backup_database(engine, tmp_path / "x.backup")
    assert (tmp_path / "x.backup").read_text() == "keep me"
    svc.backup_database(engine, tmp_path / "x.backup", force=True)
    assert stat.S_IMODE((tmp_path / "x.backup").stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*partial*"))


def test_restore_refuses_files_that_are_not_gpworkforce_backups(engine: Engine, tmp_path: Path) -> None:
    empty = _fresh(f"sqlite:///{tmp_path / 'empty' / 'e.db'}") if engine.dialect.name == "sqlite" else engine
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    with pytest.raises(svc.BackupError, match="not a gpworkforce backup"):
        svc.restore_database(empty, text_file)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    expected = "not a gpworkforce backup" if engine.dialect.name == "sqlite" else "sqlite backup but the database is"
    with pytest.raises(svc.BackupError, match=expected):
        svc.restore_database(empty, other)
    with pytest.raises(svc.BackupError, match="no such file"):
        svc.restore_database(empty, tmp_path / "missing.backup")


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_restore_refuses_an_unknown_schema_revision(engine: Engine, tmp_path: Path) -> None:
    svc.backup_database(engine, tmp_path / "b.backup")
    with sqlite3.connect(tmp_path / "b.backup") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()
    target = _fresh(f"sqlite:///{tmp_path / 'new' / 'n.db'}")
    with pytest.raises(svc.BackupError, match=r"9999_from_the_future.*unknown"):
        svc.restore_database(target, tmp_path / "b.backup")


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_backup_holds_what_is_still_in_the_wal(engine: Engine, tmp_path: Path) -> None:
    """A reader holds the WAL open so nothing is checkpointed: ``cp`` loses rows, backup does not."""
    path = Path(str(engine.url.database))
    holder = sqlite3.connect(path)
    holder.execute("PRAGMA wal_autocheckpoint=0")
    holder.execute("BEGIN")
    holder.execute("SELECT count(*) FROM audit_log").fetchone()  # an open read pins the WAL
    try:
        fill(engine, corrections=5, audits=200)
        with store.session_scope(engine) as s:
            committed = s.scalar(select(func.count()).select_from(AuditLog))
        shutil.copyfile(path, tmp_path / "cp.db")
        svc.backup_database(engine, tmp_path / "api.backup")
    finally:
        holder.rollback()
        holder.close()
    with sqlite3.connect(tmp_path / "cp.db") as copied:
        in_copy = copied.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with sqlite3.connect(tmp_path / "api.backup") as backed:
        in_backup = backed.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        corrections = backed.execute("SELECT count(*) FROM practice_fte_override").fetchone()[0]
    assert in_copy < committed, "the WAL was checkpointed: the test no longer shows the cp defect"
    assert in_backup == committed
    assert corrections == 1


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_backup_while_a_writer_thread_writes_is_consistent(engine: Engine, tmp_path: Path) -> None:
    fill(engine, corrections=1, audits=1)
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            i = 0
            while not stop.is_set():
                with store.session_scope(engine) as s:
                    store.set_fte_override(s, "A81001", "practice_nurse", float(i % 50), "user:1")
                    record_audit(s, None, "writer", "test", str(i), None, {"i": i}, None)
                written.append(i)
                i += 1
        except BaseException as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(written) < 20 and not errors and time.monotonic() < deadline:
            stop.wait(0.01)
        for n in range(3):
            svc.backup_database(engine, tmp_path / f"live{n}.backup")
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    previous = -1
    for n in range(3):
        restored = _fresh(f"sqlite:///{tmp_path / f'r{n}' / 'g.db'}")
        try:
            result = svc.restore_database(restored, tmp_path / f"live{n}.backup")
            assert result.audit.intact
            rows = every_table(restored)
        finally:
            restored.dispose()
        writes = sorted(int(r[5]) for r in rows["audit_log"] if r[3] == "writer")  # entity_key
        assert writes == list(range(len(writes))), "a backup must be one moment: the writes up to some point"
        assert len(writes) >= max(previous, 20)
        previous = len(writes)
        nurse = [r for r in rows["practice_fte_override"] if "practice_nurse" in r]
        assert len(nurse) == 1 and float(nurse[0][3]) == float((len(writes) - 1) % 50)
