"""The audit trail: append entries, and read them back as typed rows for the people allowed.

Admins read every entry, with email addresses and IP addresses. ICB analysts read the FTE
corrections of the practices in their scope only, with people named by role and organisation
(:func:`user_label`), never by email, and no IP addresses. Functions work in the caller's
session and never commit.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpworkforce.services.audit_chain import GENESIS, entry_hash, lock_chain
from gpworkforce.store.accounts import AuditLog, User

__all__ = [
    "ROLE_LABELS",
    "AuditEntry",
    "UserLike",
    "as_utc",
    "audit_entries",
    "recent_activity",
    "record_audit",
    "user_label",
    "with_public_labels",
]

ROLE_LABELS: Final[dict[str, str]] = {
    "admin": "Administrator",
    "icb_analyst": "ICB analyst",
    "pcn_lead": "PCN lead",
    "practice_manager": "Practice manager",
}
#: Keys never written to the audit log even if a caller passes them.
_SECRET_KEYS: Final = frozenset({"password", "password_hash", "secret", "token"})


class UserLike(Protocol):
    """What :func:`user_label` reads: a ``User`` row or a ``SignedInUser``."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def org_code(self) -> str | None: ...


def as_utc(value: datetime) -> datetime:
    """Make a stored timestamp aware: SQLite hands back naive values that were written as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def user_label(viewer: UserLike | None, subject: UserLike | None) -> str:
    """How ``subject`` is named to ``viewer``: admins see email addresses, everyone else sees
    "You" or the role and organisation (e.g. "PCN lead, U12345"), never another person's email.
    """
    if subject is None:
        return "Deleted user"
    if viewer is not None and viewer.id == subject.id:
        return "You"
    if viewer is not None and viewer.role == "admin":
        return subject.email
    label = ROLE_LABELS.get(subject.role, subject.role)
    return f"{label}, {subject.org_code}" if subject.org_code else label


def _audit_json(value: Mapping[str, Any] | None) -> str | None:
    if value is None:
        return None
    cleaned = {k: ("[redacted]" if k.lower() in _SECRET_KEYS else v) for k, v in value.items()}
    return json.dumps(cleaned, sort_keys=True, default=str, ensure_ascii=False)


def record_audit(
    session: Session,
    user: UserLike | None,
    action: str,
    entity: str,
    key: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    ip: str | None,
) -> AuditLog:
    """Append an audit entry, chained to the one before it (committed with the caller's work).

    ``before``/``after`` are stored as JSON; keys that look like secrets are redacted. The
    actor's email, role and organisation are copied onto the row, so it still names them after
    their account is deleted. The row is inserted first (on SQLite that takes the write lock,
    on PostgreSQL :func:`lock_chain` is taken before), then its hashes are set from the row
    before it: the triggers of migration 0005 allow setting them once, and nothing else.
    """
    entry = AuditLog(
        at=datetime.now(UTC),
        user_id=user.id if user is not None else None,
        actor_email=user.email if user is not None else None,
        actor_role=user.role if user is not None else None,
        actor_org=user.org_code if user is not None else None,
        action=action[:64],
        entity=entity[:64],
        entity_key=key[:200] if key is not None else None,
        before=_audit_json(before),
        after=_audit_json(after),
        ip=ip[:45] if ip else None,
    )
    lock_chain(session)
    session.add(entry)
    session.flush()
    previous = session.scalar(
        select(AuditLog.row_hash).where(AuditLog.id < entry.id).order_by(AuditLog.id.desc()).limit(1)
    )
    entry.prev_hash = previous or GENESIS
    entry.row_hash = entry_hash(entry.prev_hash, entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditEntry:
    """One audit entry as its reader may see it: ``who`` named as :func:`user_label` allows,
    ``ip`` None for non-admins; ``before``/``after`` the stored JSON objects."""

    id: int
    at: datetime
    who: str
    action: str
    entity: str
    key: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None


def _loads(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return {"value": text}
    return value if isinstance(value, dict) else {"value": value}


@dataclass(frozen=True)
class _FormerUser:
    """The actor of an entry whose account was deleted, as the row recorded them."""

    email: str
    role: str
    org_code: str | None
    id: int = 0  # never a viewer's id


def _who(viewer: UserLike, entry: AuditLog, users: Mapping[int, User]) -> str:
    if entry.user_id is not None and entry.user_id in users:
        return user_label(viewer, users[entry.user_id])
    if entry.actor_email is None or entry.actor_role is None:
        return "Deleted user" if entry.user_id is not None else "Nobody signed in"
    label = user_label(viewer, _FormerUser(entry.actor_email, entry.actor_role, entry.actor_org))
    return f"{label} (account deleted)"


def _entries(session: Session, viewer: UserLike, rows: Collection[AuditLog], *, show_ip: bool) -> list[AuditEntry]:
    ids = {e.user_id for e in rows if e.user_id is not None}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return [
        AuditEntry(
            id=e.id,
            at=as_utc(e.at),
            who=_who(viewer, e, users),
            action=e.action,
            entity=e.entity,
            key=e.entity_key,
            before=_loads(e.before),
            after=_loads(e.after),
            ip=e.ip if show_ip else None,
        )
        for e in rows
    ]


def audit_entries(
    session: Session,
    viewer: UserLike,
    *,
    limit: int,
    before_id: int | None = None,
    only: tuple[str, str] | None = None,
    keys: Collection[str] = (),
) -> list[AuditEntry]:
    """Entries newest first, older than ``before_id`` if given.

    Admins get everything. Anyone else gets only entries whose (action, entity) is ``only``
    and whose key is in ``keys`` (nothing when ``only`` is None): the caller passes the
    practices the viewer's scope allows.
    """
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    if viewer.role != "admin":
        if only is None:
            return []
        query = query.where(
            AuditLog.action == only[0], AuditLog.entity == only[1], AuditLog.entity_key.in_(sorted(keys))
        )
    return _entries(session, viewer, session.scalars(query).all(), show_ip=viewer.role == "admin")


def recent_activity(session: Session, user: UserLike, limit: int = 5) -> list[AuditEntry]:
    """The user's latest audit entries, newest first (shown on their account page)."""
    query = (
        select(AuditLog)
        .where(AuditLog.user_id == user.id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return _entries(session, user, session.scalars(query).all(), show_ip=True)  # their own addresses


def with_public_labels(session: Session, overrides: pd.DataFrame) -> pd.DataFrame:
    """FTE corrections with ``corrected_by``: who made each as anyone may see it (role and
    organisation, never an email address), for the public figures' provenance."""
    ids = overrides["updated_by"].astype(str).str.extract(r"^user:(\d+)$")[0] if not overrides.empty else None
    labels: list[str] = []
    for key, uid in zip(overrides["updated_by"].astype(str), [] if ids is None else ids, strict=False):
        if isinstance(uid, str):
            labels.append(user_label(None, session.get(User, int(uid))))
        else:  # written by another tool: show it only if it cannot be an address
            labels.append("Another tool" if "@" in key else key)
    return overrides.assign(corrected_by=pd.Series(labels, index=overrides.index, dtype=object))
