"""Saved scenarios: an organisation plus a :class:`~gpworkforce.scenario.Scenario`, under a name.

Stored as the Scenario model's JSON (``Scenario.model_dump_json``) and read back as Scenario
objects; ``slug`` (a UUID) is the share link and ``id`` never leaves the services. Who may do
what is :mod:`gpworkforce.services.access`; pass ``open_orgs`` (England and regions) to apply
its open-organisation rules. Functions work in the caller's session and never commit; every
change is audited with the scenario's state before and after.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gpworkforce.scenario import Scenario
from gpworkforce.services.access import (
    OrgMapping,
    Principal,
    can_create_scenario,
    can_read_scenario,
    can_write_scenario,
    normalise_org,
)
from gpworkforce.services.accounts import AccountError, PermissionDenied
from gpworkforce.services.audit import UserLike, as_utc, record_audit, user_label
from gpworkforce.store.accounts import SavedScenario, User

__all__ = [
    "ScenarioNotFound",
    "StoredScenario",
    "create_scenario",
    "delete_scenario",
    "get_scenario",
    "list_scenarios",
    "update_scenario",
]

NO_OPEN_ORGS: frozenset[str] = frozenset()


class ScenarioNotFound(LookupError):
    """No such scenario, or one the user may not see (the two are indistinguishable on purpose)."""


class Viewer(UserLike, Principal, Protocol):
    """A user as these functions read them (``SignedInUser`` or a ``User`` row)."""


@dataclass(frozen=True)
class StoredScenario:
    """A saved scenario as its reader sees it: the owner named as :func:`user_label` allows and
    ``is_owner`` (may change or delete it) decided before anything renders."""

    id: int
    slug: str
    name: str
    org_code: str
    scenario: Scenario
    shared: bool
    owner_id: int
    owner: str
    is_owner: bool
    created_at: datetime
    updated_at: datetime


def _view(row: SavedScenario, viewer: Viewer, owner: UserLike | None) -> StoredScenario:
    return StoredScenario(
        id=row.id,
        slug=row.slug,
        name=row.name,
        org_code=row.org_code,
        scenario=Scenario.model_validate_json(row.scenario),
        shared=row.shared,
        owner_id=row.owner_id,
        owner=user_label(viewer, owner),
        is_owner=can_write_scenario(viewer, row),
        created_at=as_utc(row.created_at),
        updated_at=as_utc(row.updated_at),
    )


def _state(row: SavedScenario) -> dict[str, Any]:
    return {
        "name": row.name,
        "org_code": row.org_code,
        "shared": row.shared,
        "scenario": Scenario.model_validate_json(row.scenario).model_dump(exclude_defaults=True),
    }


def _check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AccountError("Enter a name for the scenario")
    if len(cleaned) > 200:
        raise AccountError("Scenario name must be 200 characters or fewer")
    return cleaned


def create_scenario(
    session: Session,
    owner: Viewer,
    *,
    name: str,
    org_code: str,
    scenario: Scenario,
    mapping: OrgMapping,
    open_orgs: Collection[str] = NO_OPEN_ORGS,
    shared: bool = False,
    ip: str | None = None,
) -> StoredScenario:
    """Save a scenario for an organisation the owner may use (else :class:`PermissionDenied`)."""
    org = normalise_org(org_code)
    if org is None:
        raise AccountError("A scenario needs an organisation code")
    if not can_create_scenario(owner, org, mapping, open_orgs):
        raise PermissionDenied(f"{org} is outside your organisation")
    now = datetime.now(UTC)
    row = SavedScenario(
        slug=str(uuid.uuid4()),
        owner_id=owner.id,
        org_code=org,
        name=_check_name(name),
        scenario=scenario.model_dump_json(),
        shared=shared,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    record_audit(session, owner, "create", "saved_scenario", row.slug, None, _state(row), ip)
    return _view(row, owner, owner)


def _readable(
    session: Session, user: Viewer, slug: str, mapping: OrgMapping, open_orgs: Collection[str]
) -> tuple[SavedScenario, User | None]:
    row = session.scalar(select(SavedScenario).where(SavedScenario.slug == slug.strip().lower()))
    if row is None:
        raise ScenarioNotFound(slug)
    owner = session.get(User, row.owner_id)
    if not can_read_scenario(user, row, mapping, owner=owner, open_orgs=open_orgs):
        raise ScenarioNotFound(slug)
    return row, owner


def get_scenario(
    session: Session, user: Viewer, slug: str, mapping: OrgMapping, *, open_orgs: Collection[str] = NO_OPEN_ORGS
) -> StoredScenario:
    """The scenario behind a share link, if this user may read it; else :class:`ScenarioNotFound`."""
    row, owner = _readable(session, user, slug, mapping, open_orgs)
    return _view(row, user, owner)


def list_scenarios(
    session: Session, user: Viewer, mapping: OrgMapping, *, open_orgs: Collection[str] = NO_OPEN_ORGS
) -> list[StoredScenario]:
    """Scenarios the user may read, newest change first."""
    query = select(SavedScenario).order_by(SavedScenario.updated_at.desc(), SavedScenario.id.desc())
    if user.role != "admin":
        query = query.where(or_(SavedScenario.owner_id == user.id, SavedScenario.shared.is_(True)))
    rows: Sequence[SavedScenario] = session.scalars(query).all()
    ids = {r.owner_id for r in rows}
    owners = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [
        _view(r, user, owners.get(r.owner_id))
        for r in rows
        if can_read_scenario(user, r, mapping, owner=owners.get(r.owner_id), open_orgs=open_orgs)
    ]


def _owned(
    session: Session, user: Viewer, slug: str, mapping: OrgMapping, open_orgs: Collection[str], verb: str
) -> tuple[SavedScenario, User | None]:
    row, owner = _readable(session, user, slug, mapping, open_orgs)
    if not can_write_scenario(user, row):
        raise PermissionDenied(f"Only the owner can {verb} this scenario")
    return row, owner


def update_scenario(
    session: Session,
    user: Viewer,
    slug: str,
    mapping: OrgMapping,
    *,
    name: str | None = None,
    scenario: Scenario | None = None,
    shared: bool | None = None,
    open_orgs: Collection[str] = NO_OPEN_ORGS,
    ip: str | None = None,
) -> StoredScenario:
    """Change name, settings or sharing.

    Not readable -> :class:`ScenarioNotFound`; readable but not the owner -> :class:`PermissionDenied`.
    """
    row, owner = _owned(session, user, slug, mapping, open_orgs, "change")
    before = _state(row)
    if name is not None:
        row.name = _check_name(name)
    if scenario is not None:
        row.scenario = scenario.model_dump_json()
    if shared is not None:
        row.shared = shared
    row.updated_at = datetime.now(UTC)
    session.flush()
    record_audit(session, user, "update", "saved_scenario", row.slug, before, _state(row), ip)
    return _view(row, user, owner)


def delete_scenario(
    session: Session,
    user: Viewer,
    slug: str,
    mapping: OrgMapping,
    *,
    open_orgs: Collection[str] = NO_OPEN_ORGS,
    ip: str | None = None,
) -> None:
    """Delete a scenario. Same errors as :func:`update_scenario`."""
    row, _owner = _owned(session, user, slug, mapping, open_orgs, "delete")
    before = _state(row)
    session.delete(row)
    session.flush()
    record_audit(session, user, "delete", "saved_scenario", row.slug, before, None, ip)
