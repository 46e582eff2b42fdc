"""Service rules added for scenarios and corrections, on SQLite and PostgreSQL (no national data).

The mapping is a handful of practices: the rules take it as an argument.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from service_helpers import Person
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from gpworkforce.scenario import Scenario
from gpworkforce.services import accounts as svc
from gpworkforce.services import saved_scenarios as saved
from gpworkforce.services.audit import user_label
from gpworkforce.services.corrections import (
    InvalidCorrection,
    apply_corrections,
    corrections_of,
    plausible_limit,
    practice_fte,
)
from gpworkforce.services.versions import Workspace
from gpworkforce.store.accounts import AuditLog, User

MAPPING = {
    "A81001": ("U89141", "16C", "QHM"),
    "A81002": ("U89141", "16C", "QHM"),
    "A81004": ("U02671", "16C", "QHM"),
    "B82001": ("U11111", "02M", "QOQ"),
}
OPEN = frozenset({"ENGLAND", "Y63"})
MakeUser = Callable[..., Person]


def user(db: Session, person: Person) -> User:
    row = db.get(User, person.id)
    assert row is not None
    return row


def test_open_organisations_can_be_saved_by_anyone(db: Session, make_user: MakeUser) -> None:
    manager = user(db, make_user("practice_manager", "A81001"))
    with pytest.raises(svc.PermissionDenied):  # the original rule is unchanged
        saved.create_scenario(db, manager, name="x", org_code="england", scenario=Scenario(), mapping=MAPPING)
    england = saved.create_scenario(
        db,
        manager,
        name="England",
        org_code="england",
        scenario=Scenario(dna_rate=0.03),
        mapping=MAPPING,
        open_orgs=OPEN,
    )
    assert england.org_code == "ENGLAND"
    with pytest.raises(svc.PermissionDenied):
        saved.create_scenario(
            db, manager, name="x", org_code="U89141", scenario=Scenario(), mapping=MAPPING, open_orgs=OPEN
        )
    with pytest.raises(svc.AccountError):
        saved.create_scenario(db, manager, name=" ", org_code="A81001", scenario=Scenario(), mapping=MAPPING,
                                          open_orgs=OPEN)  # fmt: skip
    db.commit()


def test_shared_open_scenarios_reach_colleagues_in_the_owners_area(db: Session, make_user: MakeUser) -> None:
    people = {
        "lead": make_user("pcn_lead", "U89141"),
        "manager_in_pcn": make_user("practice_manager", "A81002"),
        "icb_analyst": make_user("icb_analyst", "QHM"),
        "other_pcn_lead": make_user("pcn_lead", "U02671"),
        "other_icb": make_user("icb_analyst", "QOQ"),
        "admin": make_user("admin"),
    }  # all committed before this session first reads (SQLite reads from a snapshot)
    lead = user(db, people["lead"])
    shared = saved.create_scenario(
        db, lead, name="Shared", org_code="england", scenario=Scenario(), mapping=MAPPING, open_orgs=OPEN, shared=True
    )
    private = saved.create_scenario(
        db, lead, name="Private", org_code="england", scenario=Scenario(), mapping=MAPPING, open_orgs=OPEN
    )
    db.commit()
    allowed_readers = {"manager_in_pcn", "icb_analyst", "admin"}
    readers = {who: (user(db, people[who]), who in allowed_readers) for who in people if who != "lead"}
    for who, (reader, allowed) in readers.items():
        listed = {s.slug for s in saved.list_scenarios(db, reader, MAPPING, open_orgs=OPEN)}
        assert (shared.slug in listed) is allowed, who
        assert (private.slug in listed) is (who == "admin"), who
        if allowed:
            assert saved.get_scenario(db, reader, shared.slug, MAPPING, open_orgs=OPEN).name == "Shared"
        else:
            with pytest.raises(saved.ScenarioNotFound):
                saved.get_scenario(db, reader, shared.slug, MAPPING, open_orgs=OPEN)
    # Without open_orgs the original rules apply: nobody but owner and admins reads England.
    manager = readers["manager_in_pcn"][0]
    with pytest.raises(saved.ScenarioNotFound):
        saved.get_scenario(db, manager, shared.slug, MAPPING)
    # A disabled owner's scenarios stop reaching colleagues.
    lead.disabled = True
    db.commit()
    with pytest.raises(saved.ScenarioNotFound):
        saved.get_scenario(db, manager, shared.slug, MAPPING, open_orgs=OPEN)


def test_user_label_hides_addresses_from_non_admins(db: Session, make_user: MakeUser) -> None:
    people = [make_user("pcn_lead", "U89141"), make_user("practice_manager", "A81001"), make_user("admin")]
    lead, manager, admin = (user(db, p) for p in people)
    assert user_label(manager, lead) == "PCN lead, U89141"
    assert user_label(lead, lead) == "You"
    assert user_label(admin, lead) == lead.email
    assert user_label(manager, admin) == "Administrator"
    assert user_label(manager, None) == "Deleted user"


def test_apply_corrections_writes_and_audits_together(
    db: Session, engine: Engine, make_user: MakeUser, ctx: Workspace
) -> None:
    """The audit entry keeps the figure a correction replaced: the published (or estimated) FTE
    plus PCN share the first time, the earlier correction after that."""
    version = ctx.version()
    manager = user(db, make_user("practice_manager", "A81001"))
    in_use = {r.role: round(r.fte, 4) for r in practice_fte(db, version.data, "A81001", None)}
    assert in_use["gp"] > 0 and in_use["pharmacist"] > 0
    before, after = apply_corrections(db, manager, "a81001", {"gp": 4.5, "pharmacist": 1.0}, version, ip="10.0.0.1")
    published = {"gp": in_use["gp"], "pharmacist": in_use["pharmacist"]}
    assert (before, after) == (published, {"gp": 4.5, "pharmacist": 1.0})
    assert apply_corrections(db, manager, "A81001", {"gp": 4.5}, version) == ({}, {})  # unchanged: no write
    assert apply_corrections(db, manager, "A81001", {"gp": None}, version) == ({"gp": 4.5}, {"gp": None})
    with pytest.raises(InvalidCorrection) as bad:
        apply_corrections(db, manager, "A81001", {"pharmacist": 3.0, "anp": -1.0, "nurse": 1.0}, version)
    assert set(bad.value.errors) == {"anp", "nurse"}
    db.commit()
    assert {r: row.fte for r, row in corrections_of(db, "A81001").items()} == {"pharmacist": 1.0}
    entries = db.scalars(
        select(AuditLog).where(AuditLog.user_id == manager.id, AuditLog.action == "fte.correct").order_by(AuditLog.id)
    ).all()
    assert [(json.loads(e.before or "{}"), json.loads(e.after or "{}"), e.ip) for e in entries] == [
        (published, {"gp": 4.5, "pharmacist": 1.0}, "10.0.0.1"),
        ({"gp": 4.5}, {"gp": None}, None),
    ]
    assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity_key == "A81001")) == 2


def test_a_correction_the_list_size_makes_implausible_is_refused(
    db: Session, make_user: MakeUser, ctx: Workspace
) -> None:
    """A81001 has 3,733 patients: at most max(10, 3 x 3.733) = 11.2 FTE of one role; 200 (hours
    typed as FTE, say) is refused with the reason, and nothing is written."""
    manager = user(db, make_user("practice_manager", "A81001"))
    assert plausible_limit(3733, 3.0, 10.0) == pytest.approx(11.199)
    assert plausible_limit(1000, 3.0, 10.0) == 10.0
    with pytest.raises(InvalidCorrection) as bad:
        apply_corrections(db, manager, "A81001", {"practice_nurse": 200.0, "gp": 11.0}, ctx.version())
    assert set(bad.value.errors) == {"practice_nurse"}
    assert "53.6 per 1,000 patients" in bad.value.errors["practice_nurse"]
    assert "11.2" in bad.value.errors["practice_nurse"]
    assert corrections_of(db, "A81001") == {}
