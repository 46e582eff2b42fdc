"""The access policy (services.access), table-driven, on plain objects (no database)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gpworkforce.services.access import OrgMapping, Scope, can_read_scenario, can_write_scenario


@dataclass(frozen=True)
class User:
    id: int
    role: str
    org_code: str | None
    disabled: bool = False


@dataclass(frozen=True)
class Saved:
    owner_id: int
    org_code: str
    shared: bool


# Two ICBs; ICB QAA has two PCNs across two sub-ICBs; ICB QBB has one PCN.
MAPPING: OrgMapping = {
    "A00001": ("U00001", "01A", "QAA"),
    "A00002": ("U00001", "01A", "QAA"),
    "A00003": ("U00002", "02B", "QAA"),
    "B00001": ("U00009", "09Z", "QBB"),
}


def user(role: str, org: str | None, uid: int = 1, disabled: bool = False) -> User:
    return User(uid, role, org, disabled)


def scenario(owner_id: int, org: str, shared: bool) -> Saved:
    return Saved(owner_id, org, shared)


@pytest.mark.parametrize(
    ("role", "org", "practice", "allowed"),
    [
        ("admin", None, "A00001", True),
        ("admin", None, "B00001", True),
        ("admin", None, "ZZZZZZ", True),  # admins see everything, even unmapped practices
        ("icb_analyst", "QAA", "A00001", True),
        ("icb_analyst", "QAA", "A00003", True),
        ("icb_analyst", "QAA", "B00001", False),
        ("icb_analyst", "QAA", "ZZZZZZ", False),  # unknown practice: outside
        ("icb_analyst", "qaa", "a00001", True),  # codes compare case-insensitively
        ("pcn_lead", "U00001", "A00001", True),
        ("pcn_lead", "U00001", "A00002", True),
        ("pcn_lead", "U00001", "A00003", False),
        ("pcn_lead", "U00001", "B00001", False),
        ("practice_manager", "A00002", "A00002", True),
        ("practice_manager", "A00002", "A00001", False),
        ("practice_manager", "A00002", "ZZZZZZ", False),
        ("practice_manager", None, "A00001", False),  # broken row: fail closed
    ],
)
def test_scope_allows(role: str, org: str | None, practice: str, allowed: bool) -> None:
    assert Scope.for_user(user(role, org)).allows(practice, MAPPING) is allowed


@pytest.mark.parametrize(
    ("role", "org", "expected"),
    [
        ("admin", None, {"A00001", "A00002", "A00003", "B00001"}),
        ("icb_analyst", "QAA", {"A00001", "A00002", "A00003"}),
        ("pcn_lead", "U00002", {"A00003"}),
        ("practice_manager", "B00001", {"B00001"}),
    ],
)
def test_scope_practices(role: str, org: str | None, expected: set[str]) -> None:
    assert Scope.for_user(user(role, org)).practices(MAPPING) == expected


@pytest.mark.parametrize(
    ("role", "org", "target", "inside"),
    [
        ("admin", None, "QBB", True),
        ("icb_analyst", "QAA", "QAA", True),
        ("icb_analyst", "QAA", "01A", True),  # a sub-ICB of the ICB
        ("icb_analyst", "QAA", "U00002", True),  # a PCN of the ICB
        ("icb_analyst", "QAA", "A00003", True),
        ("icb_analyst", "QAA", "QBB", False),
        ("icb_analyst", "QAA", "U00009", False),
        ("pcn_lead", "U00001", "U00001", True),
        ("pcn_lead", "U00001", "A00002", True),
        ("pcn_lead", "U00001", "01A", True),  # 01A holds only U00001's practices
        ("pcn_lead", "U00001", "QAA", False),  # the ICB is wider than the PCN
        ("pcn_lead", "U00001", "U00002", False),
        ("practice_manager", "A00001", "A00001", True),
        ("practice_manager", "A00001", "U00001", False),
        ("practice_manager", "A00001", "UNKNOWN", False),
    ],
)
def test_scope_contains_org(role: str, org: str | None, target: str, inside: bool) -> None:
    assert Scope.for_user(user(role, org)).contains_org(target, MAPPING) is inside


OWNER = user("practice_manager", "A00001", uid=1)


@pytest.mark.parametrize(
    ("reader", "scenario_org", "shared", "can_read", "can_write"),
    [
        (OWNER, "A00001", False, True, True),  # owner, private
        (OWNER, "A00001", True, True, True),
        (user("admin", None, uid=2), "A00001", False, True, False),  # admins read all, edit none
        (user("pcn_lead", "U00001", uid=3), "A00001", True, True, False),  # shared, in the PCN
        (user("pcn_lead", "U00001", uid=3), "A00001", False, False, False),  # not shared
        (user("icb_analyst", "QAA", uid=4), "A00001", True, True, False),
        (user("icb_analyst", "QBB", uid=5), "A00001", True, False, False),  # other ICB
        (user("practice_manager", "A00002", uid=6), "A00001", True, False, False),  # other practice
        (user("practice_manager", "A00001", uid=7), "A00001", True, True, False),  # same practice colleague
        (user("practice_manager", "A00001", uid=7, disabled=True), "A00001", True, False, False),
        (user("pcn_lead", "U00001", uid=8), "QAA", True, False, False),  # ICB-wide scenario, PCN reader
    ],
)
def test_scenario_sharing_rules(reader: User, scenario_org: str, shared: bool, can_read: bool, can_write: bool) -> None:
    item = scenario(OWNER.id, scenario_org, shared)
    assert can_read_scenario(reader, item, MAPPING) is can_read
    assert can_write_scenario(reader, item) is can_write


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown role"):
        Scope.for_user(user("superuser", None))
