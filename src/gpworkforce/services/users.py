"""Looking after user accounts (``gpworkforce user ...``): add, list, disable, enable, reset a
password, unlock sign-in, delete.

Each function is one transaction of its own (the CLI holds no session) and writes an audit
entry. An organisation given for a new user must exist in the loaded national data at the
level the role covers (a PCN lead needs a PCN code), so a typo cannot create an account that
sees nothing. Disabling, deleting and resetting end the user's sessions at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.reference import load_reference
from gpworkforce.services.access import normalise_org
from gpworkforce.services.accounts import AccountError, create_user, normalise_email, set_password
from gpworkforce.services.audit import ROLE_LABELS, as_utc, record_audit
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.organisations import UnknownOrganisation, resolve
from gpworkforce.services.sessions import end_user_sessions
from gpworkforce.services.versions import DataVersion, Workspace
from gpworkforce.store.accounts import AuditLog, LoginAttempt, SavedScenario, User, UserSession

__all__ = [
    "ROLE_LEVELS",
    "UserSummary",
    "add_checked_user",
    "check_organisation",
    "delete_user",
    "list_users",
    "loaded_data",
    "reset_password",
    "set_disabled",
    "unlock",
]

#: The organisation level each role's code must be (admins have none).
ROLE_LEVELS: Final[dict[str, str]] = {"icb_analyst": "icb", "pcn_lead": "pcn", "practice_manager": "practice"}
_LEVEL_WORDS: Final = {"icb": "an ICB", "pcn": "a PCN", "practice": "a practice"}


@dataclass(frozen=True)
class UserSummary:
    """One account as ``user list`` shows it (never the password hash)."""

    email: str
    role: str
    org_code: str | None
    disabled: bool
    created_at: datetime
    sessions: int


def loaded_data(engine: Engine) -> DataVersion | None:
    """The national data loaded in this database, or None when there are none yet."""
    try:
        return Workspace(engine, load_reference()).version()
    except DataMissingError:
        return None


def check_organisation(version: DataVersion, role: str, org_code: str | None) -> None:
    """Raise :class:`AccountError` unless ``org_code`` exists at the level ``role`` covers."""
    level = ROLE_LEVELS.get(role)
    org = normalise_org(org_code)
    if level is None or org is None:
        return  # admin, an unknown role or a missing code: create_user says what is wrong
    try:
        found = resolve(version, org)
    except UnknownOrganisation:
        raise AccountError(f"Organisation {org} is not in the loaded national data") from None
    if found.level != level:
        raise AccountError(
            f"A {ROLE_LABELS[role].lower()} needs {_LEVEL_WORDS[level]} code; {org} is {found.label}"
        ) from None
    if found.code.upper() != org:
        raise AccountError(f"Use the ODS code {found.code} for {found.label}, not {org}")


def add_checked_user(
    engine: Engine, version: DataVersion | None, email: str, password: str, role: str, org_code: str | None
) -> None:
    """Create a user after checking the organisation against ``version`` (the loaded data).

    ``version`` None means no national data are loaded: only an administrator can be added then.
    """
    if role in ROLE_LEVELS and normalise_org(org_code) is not None:
        if version is None:
            raise AccountError(
                "No national data are loaded, so the organisation cannot be checked; "
                "load the data first (gpworkforce data load) or add an administrator"
            )
        check_organisation(version, role, org_code)
    with store.session_scope(engine) as s:
        user = create_user(s, email, password, role, org_code)
        after = {"email": user.email, "role": user.role, "org_code": user.org_code}
        record_audit(s, None, "user_created", "user_account", None, None, after, None)


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"There is no user {normalise_email(email)}")
    return user


def list_users(engine: Engine) -> list[UserSummary]:
    """Every account, by email, with how many live sessions it has."""
    with store.session_scope(engine) as s:
        counts = dict(s.execute(select(UserSession.user_id, func.count()).group_by(UserSession.user_id)).all())
        users = s.scalars(select(User).order_by(User.email)).all()
        return [
            UserSummary(u.email, u.role, u.org_code, u.disabled, as_utc(u.created_at), int(counts.get(u.id, 0)))
            for u in users
        ]


def set_disabled(engine: Engine, email: str, disabled: bool) -> int:
    """Disable (ending every session at once) or enable an account; returns sessions ended."""
    with store.session_scope(engine) as s:
        user = _user(s, email)
        ended = end_user_sessions(s, user.id) if disabled else 0
        if user.disabled != disabled:
            user.disabled = disabled
            action = "user_disabled" if disabled else "user_enabled"
            record_audit(s, None, action, "user_account", str(user.id), None, {"email": user.email}, None)
        return ended


def reset_password(engine: Engine, email: str, password: str) -> None:
    """An administrator sets a new password (policy-checked); sessions end, failures are cleared."""
    with store.session_scope(engine) as s:
        user = _user(s, email)
        set_password(s, user, password, by_admin=True)
        s.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email, LoginAttempt.success.is_(False)))


def unlock(engine: Engine, email: str) -> int:
    """Forget an account's failed sign-ins, so its delay ends now; returns how many were cleared.

    The audit log keeps every failed attempt; only the rate-limiting record goes.
    """
    address = normalise_email(email)
    with store.session_scope(engine) as s:
        result = s.execute(delete(LoginAttempt).where(LoginAttempt.email == address, LoginAttempt.success.is_(False)))
        cleared = int(getattr(result, "rowcount", 0) or 0)
        record_audit(s, None, "sign_in_unlocked", "user_account", address, None, {"cleared": cleared}, None)
        return cleared


def delete_user(engine: Engine, email: str) -> tuple[int, int]:
    """Delete an account, its sessions and saved scenarios; returns (scenarios, audit entries kept).

    The audit log keeps every entry the user made (their ``user_id`` becomes empty); a final
    ``user_deleted`` entry records the id, email, role and organisation, so the id in older
    exports can still be read as a person.
    """
    with store.session_scope(engine) as s:
        user = _user(s, email)
        kept = s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.user_id == user.id)) or 0
        scenarios = s.scalar(select(func.count()).select_from(SavedScenario).where(SavedScenario.owner_id == user.id))
        was = {"id": user.id, "email": user.email, "role": user.role, "org_code": user.org_code, "audit_entries": kept}
        record_audit(s, None, "user_deleted", "user_account", str(user.id), was, None, None)
        end_user_sessions(s, user.id)
        s.execute(delete(SavedScenario).where(SavedScenario.owner_id == user.id))
        s.delete(user)
        return int(scenarios or 0), int(kept)
