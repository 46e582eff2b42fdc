"""Account services against a real database (SQLite and PostgreSQL): hashing, sign-in, rate
limiting, audit trail and saved scenarios."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpworkforce.scenario import Scenario
from gpworkforce.services import accounts as svc
from gpworkforce.services import audit
from gpworkforce.services import saved_scenarios as saved
from gpworkforce.services.access import OrgMapping
from gpworkforce.store.accounts import AuditLog, LoginAttempt, SavedScenario, User

MAPPING: OrgMapping = {
    "A81001": ("U11111", "16C", "QHM"),
    "A81002": ("U11111", "16C", "QHM"),
    "A81003": ("U22222", "16C", "QHM"),
    "B82001": ("U33333", "42D", "QOQ"),
}
GOOD_PASSWORD = "a perfectly long passphrase"  # only used inside these tests


def _audit(db: Session, action: str) -> list[AuditLog]:
    return list(db.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


# --- Users ----------------------------------------------------------------------------------


def test_password_is_stored_as_argon2id(db: Session) -> None:
    user = svc.create_user(db, " Jo.Bloggs@Example.NHS.uk ", GOOD_PASSWORD, "practice_manager", " a81001 ")
    db.commit()
    stored = db.scalar(select(User).where(User.id == user.id))
    assert stored is not None
    assert stored.email == "jo.bloggs@example.nhs.uk"
    assert stored.org_code == "A81001"
    assert stored.password_hash.startswith("$argon2id$")
    assert GOOD_PASSWORD not in stored.password_hash
    assert "password_hash" not in repr(stored) and stored.password_hash not in repr(stored)


def test_production_hash_parameters(fast_password_hashing: None) -> None:
    """The default hasher (restored outside tests) is Argon2id at RFC 9106's second recommendation."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    default = PasswordHash((Argon2Hasher(),))
    previous = svc.set_hasher(default)
    try:
        assert svc.hash_password(GOOD_PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    finally:
        svc.set_hasher(previous)


def test_weaker_stored_hash_is_upgraded_at_sign_in(db: Session) -> None:
    user = svc.create_user(db, "old.hash@example.org", GOOD_PASSWORD, "admin", None)  # cheap test hash
    db.commit()
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    previous = svc.set_hasher(PasswordHash((Argon2Hasher(time_cost=2, memory_cost=2048, parallelism=1),)))
    try:
        assert svc.authenticate(db, "old.hash@example.org", GOOD_PASSWORD, None) is user
        assert "m=2048,t=2,p=1" in user.password_hash
    finally:
        svc.set_hasher(previous)


@pytest.mark.parametrize(
    ("email", "password", "role", "org", "message"),
    [
        ("a@example.org", "x" * 11, "practice_manager", "A81001", "at least 12"),
        ("a@example.org", "x" * 1025, "practice_manager", "A81001", "1024 characters or fewer"),
        ("a@example.org", GOOD_PASSWORD, "superuser", "A81001", "Role must be one of"),
        ("a@example.org", GOOD_PASSWORD, "admin", "A81001", "not tied to an organisation"),
        ("a@example.org", GOOD_PASSWORD, "icb_analyst", None, "needs an organisation code"),
        ("a@example.org", GOOD_PASSWORD, "pcn_lead", "  ", "needs an organisation code"),
        ("a@example.org", GOOD_PASSWORD, "pcn_lead", "U1-111", "ODS code"),
        ("not-an-email", GOOD_PASSWORD, "admin", None, "correct format"),
        ("a@b", GOOD_PASSWORD, "admin", None, "correct format"),
    ],
)
def test_create_user_validates(
    db: Session, email: str, password: str, role: str, org: str | None, message: str
) -> None:
    with pytest.raises(svc.AccountError, match=message):
        svc.create_user(db, email, password, role, org)


def test_weak_passwords_are_refused_with_the_reason(db: Session) -> None:
    for weak, reason in (("x" * 12, "pattern"), ("password1234", "most commonly used"), ("abcdefghijkl", "run")):
        with pytest.raises(svc.AccountError, match=reason):
            svc.create_user(db, "twelve@example.org", weak, "admin", None)
    with pytest.raises(svc.AccountError, match="email address or name"):
        svc.create_user(db, "margaret.hughes@example.org", "hughes-garden-lamp", "admin", None)
    svc.create_user(db, "twelve@example.org", "plum cart seven lamps", "admin", None)


def test_duplicate_email_is_refused_case_insensitively(db: Session) -> None:
    svc.create_user(db, "dup@example.org", GOOD_PASSWORD, "admin", None)
    db.commit()
    with pytest.raises(svc.AccountError, match="already exists"):
        svc.create_user(db, "DUP@example.org", GOOD_PASSWORD, "admin", None)
    db.commit()  # the failed attempt left nothing half-done behind
    assert db.scalar(select(func.count()).select_from(User)) == 1


def test_database_enforces_lower_case_email_and_role(engine: Engine) -> None:
    """The constraints back up the service, for rows written some other way."""
    now = datetime.now(UTC)
    bad_rows = [
        {"email": "Upper@example.org", "role": "admin", "org": None},
        {"email": "x@example.org", "role": "root", "org": None},
        {"email": "y@example.org", "role": "practice_manager", "org": None},
        {"email": "z@example.org", "role": "admin", "org": "A81001"},
    ]
    for row in bad_rows:
        with engine.connect() as conn, pytest.raises(IntegrityError):
            conn.execute(
                text(
                    "INSERT INTO user_account (email, password_hash, role, org_code, created_at, disabled) "
                    "VALUES (:email, 'h', :role, :org, :now, false)"
                ),
                {**row, "now": now},
            )


# --- Sign-in and rate limiting --------------------------------------------------------------


def test_authenticate(db: Session) -> None:
    user = svc.create_user(db, "sam@example.org", GOOD_PASSWORD, "pcn_lead", "U11111")
    db.commit()
    assert svc.authenticate(db, "SAM@example.org ", GOOD_PASSWORD, "10.0.0.1") is user
    assert svc.authenticate(db, "sam@example.org", GOOD_PASSWORD + "!", "10.0.0.1") is None
    assert svc.authenticate(db, "nobody@example.org", GOOD_PASSWORD, "10.0.0.1") is None
    assert svc.authenticate(db, "sam@example.org", "", "10.0.0.1") is None
    assert svc.authenticate(db, "sam@example.org", "x" * 5000, "10.0.0.1") is None
    user.disabled = True
    db.commit()
    assert svc.authenticate(db, "sam@example.org", GOOD_PASSWORD, "10.0.0.1") is None
    db.commit()
    attempts = db.scalars(select(LoginAttempt).order_by(LoginAttempt.id)).all()
    assert [a.success for a in attempts] == [True, False, False, False, False, False]
    assert {a.email for a in attempts} == {"sam@example.org", "nobody@example.org"}


def test_purge_login_attempts(db: Session) -> None:
    db.add_all(
        [
            LoginAttempt(email="old@example.org", ip=None, at=datetime.now(UTC) - timedelta(days=3), success=False),
            LoginAttempt(email="new@example.org", ip=None, at=datetime.now(UTC), success=False),
        ]
    )
    db.commit()
    assert svc.purge_login_attempts(db) == 1
    db.commit()
    assert db.scalars(select(LoginAttempt.email)).all() == ["new@example.org"]


# --- Audit ----------------------------------------------------------------------------------


def test_sign_in_events_are_audited(db: Session) -> None:
    user = svc.create_user(db, "pat@example.org", GOOD_PASSWORD, "admin", None)
    db.commit()
    svc.authenticate(db, "pat@example.org", GOOD_PASSWORD, "10.1.1.1")
    svc.authenticate(db, "pat@example.org", "wrong password!", "10.1.1.2")
    db.commit()
    (ok,) = _audit(db, "sign_in")
    assert (ok.user_id, ok.entity, ok.entity_key, ok.ip) == (user.id, "user_account", str(user.id), "10.1.1.1")
    (failed,) = _audit(db, "sign_in_failed")
    assert (failed.user_id, failed.entity_key, failed.ip) == (None, "pat@example.org", "10.1.1.2")
    assert audit.as_utc(ok.at) <= datetime.now(UTC)
    assert [e.action for e in audit.recent_activity(db, user)] == ["sign_in"]


def test_record_audit_stores_json_and_redacts_secrets(db: Session) -> None:
    user = svc.create_user(db, "ann@example.org", GOOD_PASSWORD, "admin", None)
    entry = audit.record_audit(
        db,
        user,
        "update",
        "practice_fte_override",
        "A81001/gp",
        {"fte": 2.5},
        {"fte": 3.0, "password": "hunter2", "when": datetime(2026, 1, 2)},
        "127.0.0.1",
    )
    db.commit()
    stored = db.get(AuditLog, entry.id)
    assert stored is not None
    assert json.loads(stored.before or "") == {"fte": 2.5}
    after = json.loads(stored.after or "")
    assert after["password"] == "[redacted]" and after["fte"] == 3.0 and after["when"].startswith("2026-01-02")


def test_set_password_changes_hash_and_audits(db: Session) -> None:
    user = svc.create_user(db, "cat@example.org", GOOD_PASSWORD, "admin", None)
    old = user.password_hash
    svc.set_password(db, user, "another long passphrase")
    db.commit()
    assert user.password_hash != old and user.password_hash.startswith("$argon2id$")
    assert svc.authenticate(db, "cat@example.org", "another long passphrase", None) is user
    assert _audit(db, "password_changed")
    with pytest.raises(svc.AccountError):
        svc.set_password(db, user, "short")
    with pytest.raises(svc.AccountError, match="most commonly used"):
        svc.set_password(db, user, "Password1234!")


# --- Saved scenarios ------------------------------------------------------------------------


@pytest.fixture
def people(db: Session) -> dict[str, User]:
    users = {
        "owner": svc.create_user(db, "owner@example.org", GOOD_PASSWORD, "practice_manager", "A81001"),
        "colleague": svc.create_user(db, "colleague@example.org", GOOD_PASSWORD, "practice_manager", "A81001"),
        "pcn": svc.create_user(db, "pcn@example.org", GOOD_PASSWORD, "pcn_lead", "U11111"),
        "other_pcn": svc.create_user(db, "pcn2@example.org", GOOD_PASSWORD, "pcn_lead", "U22222"),
        "icb": svc.create_user(db, "icb@example.org", GOOD_PASSWORD, "icb_analyst", "QHM"),
        "other_icb": svc.create_user(db, "icb2@example.org", GOOD_PASSWORD, "icb_analyst", "QOQ"),
        "admin": svc.create_user(db, "admin@example.org", GOOD_PASSWORD, "admin", None),
    }
    db.commit()
    return users


def test_scenario_lifecycle_and_audit(db: Session, people: dict[str, User]) -> None:
    owner = people["owner"]
    scenario = Scenario(year=2030, added_fte={"gp": 3.5}, minutes={"anp": 12})
    created = saved.create_scenario(
        db, owner, name="  Winter   plan ", org_code="a81001", scenario=scenario, mapping=MAPPING, ip="10.2.2.2"
    )
    db.commit()
    assert created.name == "Winter plan" and created.org_code == "A81001" and created.shared is False
    assert len(created.slug) == 36
    assert created.scenario == scenario and created.is_owner and created.owner == "You"
    stored = db.scalar(select(SavedScenario.scenario).where(SavedScenario.slug == created.slug))
    assert stored == scenario.model_dump_json()  # the Scenario model's JSON, read back as a Scenario

    updated = saved.update_scenario(db, owner, created.slug.upper(), MAPPING, shared=True, scenario=Scenario(year=2035))
    db.commit()
    assert updated.shared is True and updated.scenario == Scenario(year=2035)
    assert audit.as_utc(updated.updated_at) >= audit.as_utc(updated.created_at)

    saved.delete_scenario(db, owner, created.slug, MAPPING)
    db.commit()
    assert db.scalar(select(func.count()).select_from(SavedScenario)) == 0

    actions = [
        (e.action, e.entity_key)
        for e in db.scalars(select(AuditLog).where(AuditLog.entity == "saved_scenario").order_by(AuditLog.id))
    ]
    assert actions == [("create", created.slug), ("update", created.slug), ("delete", created.slug)]
    update_entry = _audit(db, "update")[0]
    assert json.loads(update_entry.before or "")["shared"] is False
    assert json.loads(update_entry.after or "")["shared"] is True


@pytest.mark.parametrize(
    ("reader", "shared", "visible"),
    [
        ("owner", False, True),
        ("colleague", False, False),
        ("colleague", True, True),
        ("pcn", True, True),
        ("pcn", False, False),
        ("other_pcn", True, False),
        ("icb", True, True),
        ("other_icb", True, False),
        ("admin", False, True),
    ],
)
def test_scenario_visibility(db: Session, people: dict[str, User], reader: str, shared: bool, visible: bool) -> None:
    item = saved.create_scenario(
        db, people["owner"], name="Plan", org_code="A81001", scenario=Scenario(), mapping=MAPPING, shared=shared
    )
    db.commit()
    listed = [s.slug for s in saved.list_scenarios(db, people[reader], MAPPING)]
    assert (item.slug in listed) is visible
    if visible:
        assert saved.get_scenario(db, people[reader], item.slug, MAPPING).id == item.id
    else:
        with pytest.raises(saved.ScenarioNotFound):
            saved.get_scenario(db, people[reader], item.slug, MAPPING)


@pytest.mark.parametrize("editor", ["colleague", "pcn", "icb", "admin"])
def test_only_the_owner_changes_a_shared_scenario(db: Session, people: dict[str, User], editor: str) -> None:
    item = saved.create_scenario(
        db,
        people["owner"],
        name="Plan",
        org_code="A81001",
        scenario=Scenario(shift_share=0.1),
        mapping=MAPPING,
        shared=True,
    )
    db.commit()
    with pytest.raises(svc.PermissionDenied):
        saved.update_scenario(db, people[editor], item.slug, MAPPING, name="Hijacked")
    with pytest.raises(svc.PermissionDenied):
        saved.delete_scenario(db, people[editor], item.slug, MAPPING)
    db.rollback()
    assert db.get(SavedScenario, item.id) is not None and db.get(SavedScenario, item.id).name == "Plan"


def test_private_scenario_is_not_found_for_others(db: Session, people: dict[str, User]) -> None:
    item = saved.create_scenario(
        db, people["owner"], name="Plan", org_code="A81001", scenario=Scenario(), mapping=MAPPING
    )
    db.commit()
    with pytest.raises(saved.ScenarioNotFound):  # not PermissionDenied: do not reveal it exists
        saved.update_scenario(db, people["colleague"], item.slug, MAPPING, name="x")
    with pytest.raises(saved.ScenarioNotFound):
        saved.get_scenario(db, people["owner"], "00000000-0000-0000-0000-000000000000", MAPPING)


@pytest.mark.parametrize(
    ("creator", "org", "allowed"),
    [
        ("owner", "A81001", True),
        ("owner", "A81002", False),
        ("owner", "U11111", False),
        ("pcn", "U11111", True),
        ("pcn", "A81002", True),
        ("pcn", "QHM", False),
        ("icb", "QHM", True),
        ("icb", "16C", True),
        ("icb", "B82001", False),
        ("admin", "QOQ", True),
    ],
)
def test_scenarios_only_for_organisations_in_scope(
    db: Session, people: dict[str, User], creator: str, org: str, allowed: bool
) -> None:
    if allowed:
        saved.create_scenario(db, people[creator], name="Plan", org_code=org, scenario=Scenario(), mapping=MAPPING)
    else:
        with pytest.raises(svc.PermissionDenied):
            saved.create_scenario(db, people[creator], name="Plan", org_code=org, scenario=Scenario(), mapping=MAPPING)


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter a name"), ("   ", "Enter a name"), ("x" * 201, "200 characters")],
)
def test_scenario_name_is_validated(db: Session, people: dict[str, User], name: str, message: str) -> None:
    with pytest.raises(svc.AccountError, match=message):
        saved.create_scenario(db, people["owner"], name=name, org_code="A81001", scenario=Scenario(), mapping=MAPPING)


def test_deleting_a_user_keeps_the_audit_trail(db: Session, people: dict[str, User]) -> None:
    owner = people["owner"]
    saved.create_scenario(db, owner, name="Plan", org_code="A81001", scenario=Scenario(), mapping=MAPPING)
    db.commit()
    db.delete(owner)
    db.commit()
    assert db.scalar(select(func.count()).select_from(SavedScenario)) == 0  # cascaded
    (entry,) = _audit(db, "create")
    assert entry.user_id is None  # SET NULL, entry kept
