"""The access policy: who may see, save, read and change what. One function per decision.

Rules live here, not in the web layer, so the CLI and any future API enforce the same ones.
Every function is pure: it decides from the user (any object with ``id``, ``role``,
``org_code`` and ``disabled``), the thing asked about and a practice -> (PCN, sub-ICB, ICB)
mapping passed in by the caller.

Open organisations (England and the NHS regions, ``open_orgs``) are aggregates of hundreds of
practices whose figures every user may model: anyone may save a scenario for them, and a
*shared* one reaches colleagues in the owner's area. Pass an empty ``open_orgs`` for the rules
without them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, Protocol

__all__ = [
    "OrgMapping",
    "Principal",
    "ScenarioFacts",
    "Scope",
    "ScopeLevel",
    "can_create_scenario",
    "can_read_scenario",
    "can_write_scenario",
    "normalise_org",
    "scopes_overlap",
]

#: practice_code -> (pcn_code, sub_icb_code, icb_code); all ODS codes, upper case.
OrgMapping = Mapping[str, tuple[str, str, str]]
ScopeLevel = Literal["all", "icb", "pcn", "practice"]
_LEVEL_BY_ROLE: Final[dict[str, ScopeLevel]] = {
    "admin": "all",
    "icb_analyst": "icb",
    "pcn_lead": "pcn",
    "practice_manager": "practice",
}
#: Position in the (pcn, sub_icb, icb) mapping tuple for each level; practice is the key itself.
_PARENT_INDEX: Final[dict[str, int]] = {"pcn": 0, "icb": 2}


class Principal(Protocol):
    """What the policy reads about a user: a ``User`` row or a ``SignedInUser``."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def org_code(self) -> str | None: ...
    @property
    def disabled(self) -> bool: ...


class ScenarioFacts(Protocol):
    """What the policy reads about a saved scenario."""

    @property
    def owner_id(self) -> int: ...
    @property
    def org_code(self) -> str: ...
    @property
    def shared(self) -> bool: ...


def normalise_org(org_code: str | None) -> str | None:
    """Upper-case, trimmed ODS code, or None when empty."""
    if org_code is None:
        return None
    org = org_code.strip().upper()
    return org or None


@dataclass(frozen=True)
class Scope:
    """Which practices a user may see: everything, one ICB, one PCN or one practice."""

    level: ScopeLevel
    org_code: str | None = None

    @classmethod
    def of(cls, role: str, org_code: str | None) -> Scope:
        """The scope of a role; a non-admin without an organisation sees nothing."""
        level = _LEVEL_BY_ROLE.get(role)
        if level is None:
            raise ValueError(f"unknown role {role!r}")
        if level == "all":
            return cls("all")
        org = normalise_org(org_code)
        return cls(level, "" if org is None else org)  # the table forbids None, but never fail open

    @classmethod
    def for_user(cls, user: Principal) -> Scope:
        """The scope of a user's role."""
        return cls.of(user.role, user.org_code)

    @property
    def is_all(self) -> bool:
        return self.level == "all"

    def allows(self, practice_code: str, mapping: OrgMapping) -> bool:
        """True if the practice is inside this scope. Unknown practices are outside (except for admins)."""
        if self.level == "all":
            return True
        code = practice_code.strip().upper()
        if not self.org_code:
            return False
        if self.level == "practice":
            return code == self.org_code
        parents = mapping.get(code)
        if parents is None:
            return False
        return parents[_PARENT_INDEX[self.level]] == self.org_code

    def allows_all(self, practice_codes: Iterable[str], mapping: OrgMapping) -> bool:
        """True if every one of these practices is inside this scope (a user-defined group's test)."""
        return self.level == "all" or all(self.allows(code, mapping) for code in practice_codes)

    def practices(self, mapping: OrgMapping) -> frozenset[str]:
        """All practice codes in the mapping that this scope allows."""
        return frozenset(p for p in mapping if self.allows(p, mapping))

    def contains_org(self, org_code: str, mapping: OrgMapping) -> bool:
        """True if the organisation (practice, PCN, sub-ICB or ICB code) lies wholly inside this scope.

        An organisation is inside when it is the scope's own organisation, or a practice the
        scope allows, or a PCN/sub-ICB/ICB whose practices are all allowed (and it has some).
        """
        if self.level == "all":
            return True
        code = org_code.strip().upper()
        if not self.org_code:
            return False
        if code == self.org_code or (code in mapping and self.allows(code, mapping)):
            return True
        members = [p for p, parents in mapping.items() if code in parents]
        return bool(members) and all(self.allows(p, mapping) for p in members)


def scopes_overlap(a: Scope, b: Scope, mapping: OrgMapping) -> bool:
    """True if some practice lies in both scopes: the two users work in the same area."""
    if a.is_all:
        return b.is_all or any(b.allows(p, mapping) for p in mapping)
    if b.is_all:
        return any(a.allows(p, mapping) for p in mapping)
    return any(a.allows(p, mapping) and b.allows(p, mapping) for p in mapping)


def can_create_scenario(
    user: Principal, org_code: str, mapping: OrgMapping, open_orgs: Collection[str] = frozenset()
) -> bool:
    """Save a scenario for this organisation: an open one, or one inside the user's scope."""
    org = normalise_org(org_code) or ""
    if user.disabled:
        return False
    return org in open_orgs or Scope.for_user(user).contains_org(org, mapping)


def can_read_scenario(
    user: Principal,
    scenario: ScenarioFacts,
    mapping: OrgMapping,
    *,
    owner: Principal | None = None,
    open_orgs: Collection[str] = frozenset(),
) -> bool:
    """Owner and admins always; others only a *shared* scenario whose organisation is in their
    scope, or, for an open organisation, when their scope shares a practice with the owner's
    ("colleagues in my area": the owner's own area, as England lies inside nobody's scope).
    """
    if user.disabled:
        return False
    if scenario.owner_id == user.id or user.role == "admin":
        return True
    if not scenario.shared:
        return False
    if Scope.for_user(user).contains_org(scenario.org_code, mapping):
        return True
    if owner is None or owner.disabled or scenario.org_code.upper() not in open_orgs:
        return False
    return scopes_overlap(Scope.for_user(owner), Scope.for_user(user), mapping)


def can_write_scenario(user: Principal, scenario: ScenarioFacts) -> bool:
    """Only the owner may change or delete a scenario (admins included: they read, not edit)."""
    return not user.disabled and scenario.owner_id == user.id
