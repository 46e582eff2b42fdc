"""User-defined groups of practices: a federation, a locality, a group sharing staff, an old CCG.

Planners think in groups NHS England does not publish. A group is a code and a name over a
list of practice codes; once saved, every page, table, benchmark and projection treats it as
an organisation (``organisations.resolve``). An admin may group any practices; an ICB analyst
only practices inside their ICB (a group wholly in scope stays readable by them and nobody
learns of practices they could not see anyway: the national data are open). Every change is
audited. Functions work in the caller's session and never commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Protocol

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.nomenclature import ENGLAND_CODE, UNALLOCATED_PCN
from gpworkforce.reference import load_reference
from gpworkforce.services.access import Principal, Scope
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.audit import UserLike, as_utc, record_audit
from gpworkforce.services.database import unit_of_work
from gpworkforce.services.organisations import code_change, code_index
from gpworkforce.services.scopes import practice_parents
from gpworkforce.services.versions import DataVersion, Workspace

__all__ = [
    "AUDIT_ENTITY",
    "GROUP_ROLES",
    "GroupError",
    "GroupSummary",
    "delete_group",
    "delete_group_in",
    "list_groups",
    "list_groups_in",
    "parse_codes",
    "save_group",
    "save_group_in",
]

AUDIT_ENTITY: Final = "practice_group"
#: Web roles that may create, change and delete groups.
GROUP_ROLES: Final = ("admin", "icb_analyst")
#: Letters, digits and hyphens, starting with a letter; 3 to 20 characters.
_CODE_RE: Final = re.compile(r"^[A-Z][A-Z0-9-]{2,19}$")
MAX_NAME: Final = 200
MAX_PRACTICES: Final = 2000


class GroupError(ValueError):
    """The group cannot be saved as given; ``errors`` maps the field to a message to show."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class Editor(Principal, UserLike, Protocol):
    """Who edits: checked by the access policy, named on the audit entry."""


@dataclass(frozen=True)
class GroupSummary:
    """A saved group as lists show it."""

    code: str
    name: str
    practices: tuple[str, ...]
    created_at: datetime
    updated_at: datetime


def parse_codes(text: str) -> list[str]:
    """Practice codes from free text: separated by commas, spaces, semicolons or new lines."""
    return [c for c in re.split(r"[\s,;]+", text.strip().upper()) if c]


def _check_editor(user: Principal | None) -> Scope:
    """The editor's scope; None is the command line (whoever holds the database has it all)."""
    if user is None:
        return Scope.of("admin", None)
    if user.disabled or user.role not in GROUP_ROLES:
        raise PermissionDenied("Only an administrator or an ICB analyst can change practice groups")
    return Scope.for_user(user)


def _check(
    version: DataVersion, scope: Scope, code: str, name: str, practices: Iterable[str], *, new: bool
) -> tuple[str, str, tuple[str, ...]]:
    errors: dict[str, str] = {}
    code = code.strip().upper()
    name = " ".join(name.split())
    if not _CODE_RE.match(code):
        errors["code"] = "Enter a code of 3 to 20 letters, digits or hyphens, starting with a letter, like FED-NORTH"
    elif new and (
        code in (ENGLAND_CODE.upper(), UNALLOCATED_PCN) or code in code_index(version) or code_change(version, code)
    ):
        errors["code"] = f"{code} is already an NHS organisation code; choose another"
    if not name:
        errors["name"] = "Enter a name for the group"
    elif len(name) > MAX_NAME:
        errors["name"] = f"Enter a name of {MAX_NAME} characters or fewer"
    codes = tuple(dict.fromkeys(c.strip().upper() for c in practices if c.strip()))
    mapping = practice_parents(version)
    unknown = [c for c in codes if c not in mapping]
    outside = [c for c in codes if c in mapping and not scope.allows(c, mapping)]
    if not codes:
        errors["practices"] = "Enter the practice codes of the group, like A81001, A81002"
    elif len(codes) > MAX_PRACTICES:
        errors["practices"] = f"A group can hold at most {MAX_PRACTICES:,} practices"
    elif unknown:
        shown = ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
        errors["practices"] = f"No open practice has the code {shown}"
    elif outside:
        shown = ", ".join(outside[:10]) + (f" and {len(outside) - 10} more" if len(outside) > 10 else "")
        errors["practices"] = f"Outside your organisation, so you cannot group them: {shown}"
    if errors:
        raise GroupError(errors)
    return code, name, codes


def save_group(
    session: Session,
    version: DataVersion,
    user: Editor | None,
    code: str,
    name: str,
    practices: Iterable[str],
    *,
    ip: str | None = None,
) -> GroupSummary:
    """Create the group, or replace the name and practices of the user's existing group ``code``."""
    scope = _check_editor(user)
    row = session.scalar(select(store.PracticeGroup).where(store.PracticeGroup.code == code.strip().upper()))
    if row is not None:
        _check_in_scope(session, version, scope, row)
    code, name, codes = _check(version, scope, code, name, practices, new=row is None)
    now = datetime.now(UTC)
    before = None
    if row is None:
        creator = None if user is None else user.id
        row = store.PracticeGroup(code=code, name=name, created_by=creator, created_at=now, updated_at=now)
        session.add(row)
        session.flush()
    else:
        before = {"name": row.name, "practices": sorted(_members(session, row.id))}
        row.name, row.updated_at = name, now
        session.execute(delete(store.PracticeGroupMember).where(store.PracticeGroupMember.group_id == row.id))
    session.add_all(store.PracticeGroupMember(group_id=row.id, practice_code=c) for c in codes)
    after = {"name": name, "practices": sorted(codes)}
    record_audit(session, user, "update" if before else "create", AUDIT_ENTITY, code, before, after, ip)
    return GroupSummary(code, name, tuple(sorted(codes)), as_utc(row.created_at), now)


def _members(session: Session, group_id: int) -> list[str]:
    return list(
        session.scalars(
            select(store.PracticeGroupMember.practice_code).where(store.PracticeGroupMember.group_id == group_id)
        )
    )


def _check_in_scope(session: Session, version: DataVersion, scope: Scope, row: store.PracticeGroup) -> None:
    mapping = practice_parents(version)
    if not scope.allows_all((c for c in _members(session, row.id) if c in mapping), mapping):
        raise PermissionDenied(f"Group {row.code} includes practices outside your organisation")


def delete_group(
    session: Session, version: DataVersion, user: Editor | None, code: str, *, ip: str | None = None
) -> None:
    """Delete a group (audited with what it held)."""
    scope = _check_editor(user)
    key = code.strip().upper()
    row = session.scalar(select(store.PracticeGroup).where(store.PracticeGroup.code == key))
    if row is None:
        raise GroupError({"code": f"There is no practice group {key}"})
    _check_in_scope(session, version, scope, row)
    before = {"name": row.name, "practices": sorted(_members(session, row.id))}
    session.delete(row)
    session.flush()
    record_audit(session, user, "delete", AUDIT_ENTITY, key, before, None, ip)


def list_groups(session: Session) -> list[GroupSummary]:
    """Every group, by code (groups are open aggregates: anyone may read them)."""
    frame = store.load_groups(session)
    rows = {r.code: r for r in session.scalars(select(store.PracticeGroup))}
    out = []
    for code, part in frame.groupby("code", sort=True):
        row = rows[str(code)]
        members = tuple(c for c in part["practice_code"] if c)
        out.append(GroupSummary(row.code, row.name, members, as_utc(row.created_at), as_utc(row.updated_at)))
    return out


# --- For the command line (the database's operator) -----------------------------------------


def save_group_in(engine: Engine, code: str, name: str, practices: Iterable[str]) -> GroupSummary:
    """:func:`save_group` in a unit of work of its own, as the command line."""
    version = Workspace(engine, load_reference()).version()
    with unit_of_work(engine, write=True) as session:
        return save_group(session, version, None, code, name, practices)


def delete_group_in(engine: Engine, code: str) -> None:
    """:func:`delete_group` in a unit of work of its own, as the command line."""
    version = Workspace(engine, load_reference()).version()
    with unit_of_work(engine, write=True) as session:
        delete_group(session, version, None, code)


def list_groups_in(engine: Engine) -> list[GroupSummary]:
    """:func:`list_groups` in a unit of work of its own."""
    with unit_of_work(engine) as session:
        return list_groups(session)
