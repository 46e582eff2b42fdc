"""Integration: the audit log is append-only (triggers) and tamper-evident (hash chain), names a
deleted account's actor, and sign-in attempts are purged (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from ops_data import PASSWORD
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from gpworkforce import store
from gpworkforce.services import accounts, audit, retention
from gpworkforce.services.audit_chain import GENESIS, verify_chain
from gpworkforce.store.accounts import AuditLog, LoginAttempt, User


def _write(engine: Engine, n: int) -> list[int]:
    with store.session_scope(engine) as s:
        return [audit.record_audit(s, None, "note", "test", str(i), None, {"i": i}, "10.0.0.9").id for i in range(n)]


def _drop_triggers(engine: Engine) -> None:
    """What an attacker with the database's owner rights could do first."""
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        for name in ("audit_log_no_delete", "audit_log_no_update", "audit_log_hash_once"):
            conn.execute(text(f"DROP TRIGGER {name}" + (" ON audit_log" if pg else "")))


def test_chain_is_intact_after_ordinary_writes(engine: Engine) -> None:
    ids = _write(engine, 5)
    with store.session_scope(engine) as s:
        report = verify_chain(s)
        first = s.get(AuditLog, ids[0])
        assert first is not None and first.prev_hash == GENESIS
    assert report.intact and report.rows == 5 and report.first_broken is None


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "UPDATE audit_log SET row_hash = 'x'"]
)
def test_triggers_refuse_changes(engine: Engine, statement: str) -> None:
    _write(engine, 2)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with store.session_scope(engine) as s:
        assert verify_chain(s).intact and verify_chain(s).rows == 2


def test_postgres_refuses_truncate(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    _write(engine, 1)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))


@pytest.mark.parametrize(
    ("tamper", "broken"),
    [
        ("UPDATE audit_log SET after = '99' WHERE id = {2}", 2),
        ("DELETE FROM audit_log WHERE id = {2}", 3),
        ("UPDATE audit_log SET at = at WHERE id = {0}; UPDATE audit_log SET ip = '1.2.3.4' WHERE id = {3}", 3),
    ],
)
def test_verify_reports_the_first_broken_row(engine: Engine, tamper: str, broken: int) -> None:
    ids = _write(engine, 5)
    _drop_triggers(engine)
    with engine.begin() as conn:
        for statement in tamper.format(*ids).split("; "):
            conn.execute(text(statement))
    with store.session_scope(engine) as s:
        report = verify_chain(s)
    assert report.first_broken == ids[broken]
    assert f"row {ids[broken]}" in (report.problem or "")


def test_a_deleted_account_is_still_named(engine: Engine) -> None:
    with store.session_scope(engine) as s:
        admin = accounts.create_user(s, "admin@example.nhs.uk", PASSWORD, "admin", None)
        pm = accounts.create_user(s, "gone@example.nhs.uk", PASSWORD, "pcn_lead", "U11111")
        audit.record_audit(s, pm, "update", "saved_scenario", "slug", None, None, None)
    with store.session_scope(engine) as s:
        s.delete(s.get(User, pm.id))  # ON DELETE SET NULL may still touch user_id
    with store.session_scope(engine) as s:
        row = s.scalar(select(AuditLog).where(AuditLog.action == "update"))
        assert row is not None and row.user_id is None
        assert (row.actor_email, row.actor_role, row.actor_org) == ("gone@example.nhs.uk", "pcn_lead", "U11111")
        assert verify_chain(s).intact
        admin_view = audit.audit_entries(s, admin, limit=10)
    assert admin_view[0].who == "gone@example.nhs.uk (account deleted)"


def test_purge_login_attempts(engine: Engine) -> None:
    now = datetime.now(UTC)
    with store.session_scope(engine) as s:
        for days in (0, 2, 29, 31, 400):
            s.add(LoginAttempt(email="a@b.c", ip=None, at=now - timedelta(days=days), success=False))
    with store.session_scope(engine) as s:
        assert retention.purge_old_login_attempts(s) == 2  # 31 and 400 days
    with store.session_scope(engine) as s:
        assert retention.purge_old_login_attempts(s, timedelta(hours=1)) == 2  # floor of one day: 2 and 29 go
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 1


def test_purge_runs_at_start_up_and_then_on_a_schedule(engine: Engine) -> None:
    with store.session_scope(engine) as s:
        s.add(LoginAttempt(email="a@b.c", ip=None, at=datetime.now(UTC) - timedelta(days=60), success=False))
    assert retention.purge_login_attempts_due(engine, force=True) == 1
    assert retention.purge_login_attempts_due(engine) is None  # not again within six hours


def test_the_purge_also_removes_expired_sessions(engine: Engine) -> None:
    """A user who never signs in again leaves no session rows: the scheduled purge deletes sessions
    older than their 12-hour lifetime and keeps live ones."""
    from gpworkforce.services.sessions import SESSION_LIFETIME
    from gpworkforce.store.accounts import UserSession

    with store.session_scope(engine) as s:
        user = accounts.create_user(s, "gone@example.nhs.uk", PASSWORD, "practice_manager", "A81001")
        now = datetime.now(UTC)
        s.add(
            UserSession(token_hash="a" * 64, user_id=user.id, created_at=now - SESSION_LIFETIME - timedelta(minutes=1))
        )
        s.add(UserSession(token_hash="b" * 64, user_id=user.id, created_at=now - timedelta(hours=1)))
    retention.purge_login_attempts_due(engine, force=True)
    with store.session_scope(engine) as s:
        assert list(s.scalars(select(UserSession.token_hash))) == ["b" * 64]


def test_sign_in_purges_old_attempts(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention, "_last_purge", {})
    with store.session_scope(engine) as s:
        accounts.create_user(s, "pm@example.nhs.uk", PASSWORD, "practice_manager", "A81001")
        s.add(LoginAttempt(email="x@y.z", ip=None, at=datetime.now(UTC) - timedelta(days=60), success=False))
    with store.session_scope(engine) as s:
        assert accounts.sign_in(s, "pm@example.nhs.uk", PASSWORD, "10.0.0.1", "k" * 40) is not None
    with store.session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == "x@y.z")) == 0


def test_migration_backfills_actor_and_a_chain_the_service_accepts(db_url: str) -> None:
    """Rows written before revision 0005 get their actor and hashes; the chain then verifies and grows."""
    engine = store.make_engine(db_url)
    try:
        store.upgrade(engine, "0003_saved_scenario_json")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO user_account (id, email, password_hash, role, org_code, created_at, disabled) "
                    "VALUES (7, 'old@example.nhs.uk', 'x', 'icb_analyst', 'QHM', :at, false)"
                ),
                {"at": datetime.now(UTC)},
            )
            for i, uid in enumerate((7, None, 7)):
                conn.execute(
                    text(
                        "INSERT INTO audit_log (at, user_id, action, entity, entity_key, before, after, ip) "
                        "VALUES (:at, :uid, 'old', 'test', :key, NULL, '{\"é\": 1}', NULL)"
                    ),
                    {"at": datetime(2026, 1, 1, 12, 0, i, 123456, tzinfo=UTC), "uid": uid, "key": str(i)},
                )
        store.upgrade(engine)
        _write(engine, 2)
        with store.session_scope(engine) as s:
            report = verify_chain(s)
            old = s.scalars(select(AuditLog).where(AuditLog.action == "old").order_by(AuditLog.id)).all()
            assert [r.actor_email for r in old] == ["old@example.nhs.uk", None, "old@example.nhs.uk"]
        assert report.intact and report.rows == 5
    finally:
        engine.dispose()


def test_concurrent_writers_keep_one_chain(engine: Engine) -> None:
    """Four threads appending at once never chain two rows onto the same predecessor
    (PostgreSQL: the advisory lock; SQLite: its write lock)."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with store.session_scope(engine) as s:
                    audit.record_audit(s, None, "note", "test", f"{n}-{i}", None, None, None)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with store.session_scope(engine) as s:
        report = verify_chain(s)
    assert report.intact and report.rows == 60, report
