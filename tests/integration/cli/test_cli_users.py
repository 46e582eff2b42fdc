"""Integration: ``gpworkforce user ...`` on a national database (issue 11).

Before: ``user add`` took any organisation code (one that does not exist, or a practice for a
PCN lead) and there was no way to list, disable, enable, reset or delete accounts.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from gpworkforce import store
from gpworkforce.cli import app
from gpworkforce.store.accounts import AuditLog, User

runner = CliRunner()
PASSWORD = "plum cart seven lamps\n"


def add(email: str, role: str, org: str | None = None, password: str = PASSWORD) -> tuple[int, str]:
    args = ["user", "add", email, "--role", role, "--password-stdin"] + (["--org", org] if org else [])
    result = runner.invoke(app, args, input=password)
    return result.exit_code, result.output


def test_user_add_checks_the_organisation_against_the_data(db: str) -> None:
    for org, role, message in (
        ("ZZZ99", "practice_manager", "not in the loaded national data"),
        ("A81001", "pcn_lead", "needs a PCN code; A81001 is"),
        ("U89141", "icb_analyst", "needs an ICB code"),
        ("QHM", "practice_manager", "needs a practice code"),
    ):
        code, output = add("someone@example.org", role, org)
        assert code == 2 and message in output, (org, role, output)
    code, output = add("someone@example.org", "admin", password="password1234\n")
    assert code == 2 and "most commonly used" in output
    engine = store.make_engine(db)
    with store.session_scope(engine) as s:
        assert s.scalars(select(User)).all() == []  # nothing written by any refusal
    for email, role, org in (
        ("pm@example.org", "practice_manager", "A81001"),
        ("lead@example.org", "pcn_lead", "U89141"),
        ("icb@example.org", "icb_analyst", "QHM"),
        ("admin@example.org", "admin", None),
    ):
        code, output = add(email, role, org)
        assert code == 0, output


def test_list_disable_enable_reset_unlock_and_delete(db: str) -> None:
    assert add("pm@example.org", "practice_manager", "A81001")[0] == 0
    listed = runner.invoke(app, ["user", "list"])
    assert listed.exit_code == 0
    assert "pm@example.org\tpractice_manager\tA81001\tactive\t" in listed.output
    assert "argon2" not in listed.output

    assert runner.invoke(app, ["user", "disable", "PM@example.org"]).exit_code == 0
    assert "pm@example.org\tpractice_manager\tA81001\tdisabled" in runner.invoke(app, ["user", "list"]).output
    assert runner.invoke(app, ["user", "enable", "pm@example.org"]).exit_code == 0
    assert "\tactive\t" in runner.invoke(app, ["user", "list"]).output

    weak = runner.invoke(app, ["user", "reset-password", "pm@example.org", "--password-stdin"], input="aaaaaaaaaaaa\n")
    assert weak.exit_code == 2 and "pattern" in weak.output
    reset = runner.invoke(
        app, ["user", "reset-password", "pm@example.org", "--password-stdin"], input="violet harbour kettle\n"
    )
    assert reset.exit_code == 0, reset.output
    assert runner.invoke(app, ["user", "unlock", "pm@example.org"]).exit_code == 0

    missing = runner.invoke(app, ["user", "disable", "nobody@example.org"])
    assert missing.exit_code == 2 and "There is no user nobody@example.org" in missing.output
    refused = runner.invoke(app, ["user", "delete", "pm@example.org"], input="n\n")
    assert refused.exit_code == 1
    deleted = runner.invoke(app, ["user", "delete", "pm@example.org", "--yes"])
    assert deleted.exit_code == 0 and "audit entries kept" in deleted.output
    engine = store.make_engine(db)
    with store.session_scope(engine) as s:
        assert s.scalars(select(User)).all() == []
        actions = s.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        gone = s.scalar(select(AuditLog.before).where(AuditLog.action == "user_deleted"))
    assert actions == [
        "user_created", "user_disabled", "user_enabled", "password_reset", "sign_in_unlocked", "user_deleted"
    ]  # fmt: skip
    assert json.loads(gone or "{}")["email"] == "pm@example.org"
