"""Users, sign-in, audit trail, organisational scope and saved scenarios.

Rules live here, not in the web layer, so the CLI and any future API enforce the same ones.
Functions work inside the caller's session and never commit: the caller owns the unit of
work (a web request, a CLI command). A failed sign-in also adds rows (the attempt, an audit
entry); the caller must commit those too, or rate limiting never sees them (the web route does).

Scope is computed from a practice -> (pcn, sub_icb, icb) mapping passed in by the caller, so
this module does not care where the mapping is loaded from.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, Protocol

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.store.accounts import USER_ROLES, AuditLog, LoginAttempt, SavedScenario, User

__all__ = [
    "IP_FAILURE_LIMIT",
    "LOCKOUT_WINDOW",
    "MIN_PASSWORD_LENGTH",
    "PER_EMAIL_FAILURE_LIMIT",
    "ROLE_LABELS",
    "USER_ROLES",
    "AccountError",
    "OrgMapping",
    "PermissionDenied",
    "ScenarioNotFound",
    "Scope",
    "SignInLocked",
    "add_user",
    "as_utc",
    "authenticate",
    "can_read_scenario",
    "can_read_scenario_allowing_open",
    "can_write_scenario",
    "create_scenario",
    "create_scenario_allowing_open",
    "create_user",
    "delete_scenario",
    "get_scenario",
    "get_scenario_allowing_open",
    "get_user",
    "hash_password",
    "list_scenarios",
    "list_scenarios_allowing_open",
    "normalise_email",
    "purge_login_attempts",
    "recent_activity",
    "record_audit",
    "scopes_overlap",
    "set_hasher",
    "set_password",
    "update_scenario",
    "user_label",
]

# --- Constants ------------------------------------------------------------------------------

MIN_PASSWORD_LENGTH: Final = 12
#: Upper bound so a megabyte "password" cannot tie up an Argon2 worker.
MAX_PASSWORD_LENGTH: Final = 1024
#: Failed sign-ins counted over this window; a lock lifts when old failures leave it.
LOCKOUT_WINDOW: Final = timedelta(minutes=15)
#: Failures per email address (since its last success) that lock that address.
PER_EMAIL_FAILURE_LIMIT: Final = 5
#: Failures from one IP address (any email) that lock that address; catches password spraying.
IP_FAILURE_LIMIT: Final = 20

ROLE_LABELS: Final[dict[str, str]] = {
    "admin": "Administrator",
    "icb_analyst": "ICB analyst",
    "pcn_lead": "PCN lead",
    "practice_manager": "Practice manager",
}

#: practice_code -> (pcn_code, sub_icb_code, icb_code); all ODS codes, upper case.
OrgMapping = Mapping[str, tuple[str, str, str]]

_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ORG_CODE_RE: Final = re.compile(r"^[A-Z0-9]{3,10}$")
#: Keys never written to the audit log even if a caller passes them.
_SECRET_KEYS: Final = frozenset({"password", "password_hash", "secret", "token"})

# Argon2id with pwdlib's defaults (RFC 9106 "second recommended": 64 MiB, t=3, p=4).
_hasher = PasswordHash((Argon2Hasher(),))
#: Verified against when the email is unknown, so unknown and known addresses take equal time.
_dummy_hash = _hasher.hash("timing-equaliser-not-a-password")


def set_hasher(hasher: PasswordHash) -> PasswordHash:
    """Replace the password hasher; returns the previous one.

    For tests (cheap Argon2 parameters make hashing fast) or a deployment that tunes the
    cost. Hashes made with other parameters still verify and are re-hashed at next sign-in.
    """
    global _hasher, _dummy_hash
    previous = _hasher
    _hasher = hasher
    _dummy_hash = hasher.hash("timing-equaliser-not-a-password")
    return previous


# --- Errors ---------------------------------------------------------------------------------


class AccountError(ValueError):
    """Invalid input for an account operation; the message is safe to show the user."""


class SignInLocked(AccountError):
    """Too many recent failures for this email or IP address; the message says when to retry."""


class ScenarioNotFound(LookupError):
    """No such scenario, or one the user may not see (the two are indistinguishable on purpose)."""


class PermissionDenied(PermissionError):
    """The user can see the scenario but may not change it."""


# --- Helpers --------------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Make a stored timestamp aware: SQLite hands back naive values that were written as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_email(email: str) -> str:
    """Trim and lower-case, so sign-in is case-insensitive and the unique constraint means one person."""
    return email.strip().lower()


def _normalise_org(org_code: str | None) -> str | None:
    if org_code is None:
        return None
    org = org_code.strip().upper()
    return org or None


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer")


def hash_password(password: str) -> str:
    """Argon2id hash (``$argon2id$...``) after the length policy check."""
    _check_password(password)
    return _hasher.hash(password)


# --- Users ----------------------------------------------------------------------------------


def create_user(session: Session, email: str, password: str, role: str, org_code: str | None) -> User:
    """Add a user. Admins have no organisation; every other role must have one.

    There is deliberately no default or generated password: the caller must supply one.
    Raises :class:`AccountError` on any invalid input or a duplicate email address.
    """
    address = normalise_email(email)
    if not _EMAIL_RE.fullmatch(address) or len(address) > 254:
        raise AccountError("Enter an email address in the correct format, like name@example.nhs.uk")
    if role not in USER_ROLES:
        raise AccountError(f"Role must be one of: {', '.join(USER_ROLES)}")
    org = _normalise_org(org_code)
    if role == "admin" and org is not None:
        raise AccountError("An administrator is not tied to an organisation; leave the organisation code empty")
    if role != "admin":
        if org is None:
            raise AccountError(f"A {ROLE_LABELS[role].lower()} needs an organisation code")
        if not _ORG_CODE_RE.fullmatch(org):
            raise AccountError("Organisation code must be an ODS code (letters and digits, 3 to 10 characters)")
    password_hash = hash_password(password)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise AccountError("A user with that email address already exists")
    user = User(
        email=address,
        password_hash=password_hash,
        role=role,
        org_code=org,
        created_at=_utc_now(),
        disabled=False,
    )
    session.add(user)
    try:
        with session.begin_nested():  # a concurrent insert of the same address fails here, not at commit
            session.flush()
    except IntegrityError:
        raise AccountError("A user with that email address already exists") from None
    return user


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or None."""
    return session.get(User, user_id)


def set_password(session: Session, user: User, password: str, *, ip: str | None = None) -> None:
    """Replace a password (policy-checked); sessions signed with the old hash stop working."""
    user.password_hash = hash_password(password)
    record_audit(session, user, "password_changed", "user_account", str(user.id), None, None, ip)


def _recent_failures(session: Session, *, since: datetime, email: str | None = None, ip: str | None = None) -> int:
    query = (
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )
    if email is not None:
        query = query.where(LoginAttempt.email == email)
    if ip is not None:
        query = query.where(LoginAttempt.ip == ip)
    return session.scalar(query) or 0


def _is_locked(session: Session, email: str, ip: str | None, now: datetime) -> bool:
    window_start = now - LOCKOUT_WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.success.is_(True))
    )
    # A successful sign-in resets the per-address count; the per-IP count is not reset by it.
    email_since = max(window_start, as_utc(last_success)) if last_success is not None else window_start
    if _recent_failures(session, since=email_since, email=email) >= PER_EMAIL_FAILURE_LIMIT:
        return True
    return ip is not None and _recent_failures(session, since=window_start, ip=ip) >= IP_FAILURE_LIMIT


def authenticate(session: Session, email: str, password: str, ip: str | None) -> User | None:
    """The active user with these credentials, or None.

    Raises :class:`SignInLocked` (without checking the password) when the address or IP has
    too many recent failures. Every checked attempt is recorded; the caller must commit even
    when this returns None, or failures are not counted.
    """
    address = normalise_email(email)[:254]
    now = _utc_now()
    if _is_locked(session, address, ip, now):
        record_audit(session, None, "sign_in_locked", "user_account", address, None, None, ip)
        minutes = int(LOCKOUT_WINDOW.total_seconds() // 60)
        raise SignInLocked(f"There have been too many failed attempts to sign in. Try again in {minutes} minutes.")
    user = session.scalar(select(User).where(User.email == address))
    ok = False
    if len(password) > MAX_PASSWORD_LENGTH:
        _hasher.verify("x", _dummy_hash)  # same cost as a real check, whatever the outcome
    elif user is None:
        _hasher.verify(password, _dummy_hash)
    else:
        ok, new_hash = _hasher.verify_and_update(password, user.password_hash)
        if ok and new_hash is not None:  # hashing parameters were raised since it was stored
            user.password_hash = new_hash
    ok = ok and user is not None and not user.disabled
    session.add(LoginAttempt(email=address, ip=ip, at=now, success=ok))
    if ok and user is not None:
        record_audit(session, user, "sign_in", "user_account", str(user.id), None, None, ip)
        return user
    record_audit(session, None, "sign_in_failed", "user_account", address, None, None, ip)
    return None


def purge_login_attempts(session: Session, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete attempts too old to matter for rate limiting; returns how many went."""
    cutoff = _utc_now() - max(older_than, LOCKOUT_WINDOW)
    old = session.scalars(select(LoginAttempt).where(LoginAttempt.at < cutoff)).all()
    for row in old:
        session.delete(row)
    return len(old)


# --- Audit ----------------------------------------------------------------------------------


def _audit_json(value: Mapping[str, Any] | None) -> str | None:
    if value is None:
        return None
    cleaned = {k: ("[redacted]" if k.lower() in _SECRET_KEYS else v) for k, v in value.items()}
    return json.dumps(cleaned, sort_keys=True, default=str, ensure_ascii=False)


def record_audit(
    session: Session,
    user: User | None,
    action: str,
    entity: str,
    key: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    ip: str | None,
) -> AuditLog:
    """Append an audit entry (added to the session; committed with the caller's work).

    ``before``/``after`` are stored as JSON; keys that look like secrets are redacted.
    """
    entry = AuditLog(
        at=_utc_now(),
        user_id=user.id if user is not None else None,
        action=action[:64],
        entity=entity[:64],
        entity_key=key[:200] if key is not None else None,
        before=_audit_json(before),
        after=_audit_json(after),
        ip=ip[:45] if ip else None,
    )
    session.add(entry)
    return entry


def recent_activity(session: Session, user: User, limit: int = 5) -> Sequence[AuditLog]:
    """The user's latest audit entries, newest first (shown on their account page)."""
    query = (
        select(AuditLog)
        .where(AuditLog.user_id == user.id)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


# --- Scope ----------------------------------------------------------------------------------

ScopeLevel = Literal["all", "icb", "pcn", "practice"]
_LEVEL_BY_ROLE: Final[dict[str, ScopeLevel]] = {
    "admin": "all",
    "icb_analyst": "icb",
    "pcn_lead": "pcn",
    "practice_manager": "practice",
}
#: Position in the (pcn, sub_icb, icb) mapping tuple for each level; practice is the key itself.
_PARENT_INDEX: Final[dict[str, int]] = {"pcn": 0, "icb": 2}


@dataclass(frozen=True)
class Scope:
    """Which practices a user may see: everything, one ICB, one PCN or one practice."""

    level: ScopeLevel
    org_code: str | None = None

    @classmethod
    def for_user(cls, user: User) -> Scope:
        """The scope of a user's role; a non-admin without an organisation sees nothing."""
        level = _LEVEL_BY_ROLE.get(user.role)
        if level is None:
            raise ValueError(f"unknown role {user.role!r}")
        if level == "all":
            return cls("all")
        org = _normalise_org(user.org_code)
        if org is None:  # the table forbids this, but never fail open
            return cls(level, "")
        return cls(level, org)

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


# --- Saved scenarios ------------------------------------------------------------------------


def can_read_scenario(user: User, scenario: SavedScenario, mapping: OrgMapping) -> bool:
    """Owner and admins always; others only if shared and the scenario's organisation is in their scope."""
    if user.disabled:
        return False
    if scenario.owner_id == user.id or user.role == "admin":
        return True
    return scenario.shared and Scope.for_user(user).contains_org(scenario.org_code, mapping)


def can_write_scenario(user: User, scenario: SavedScenario) -> bool:
    """Only the owner may change or delete a scenario (admins included: they read, not edit)."""
    return not user.disabled and scenario.owner_id == user.id


def _scenario_state(s: SavedScenario) -> dict[str, Any]:
    return {"name": s.name, "org_code": s.org_code, "shared": s.shared, "params": json.loads(s.params)}


def _params_json(params: Mapping[str, Any]) -> str:
    try:
        return json.dumps(dict(params), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise AccountError(f"Scenario parameters must be plain JSON values: {exc}") from None


def _check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AccountError("Enter a name for the scenario")
    if len(cleaned) > 200:
        raise AccountError("Scenario name must be 200 characters or fewer")
    return cleaned


def create_scenario(
    session: Session,
    owner: User,
    *,
    name: str,
    org_code: str,
    params: Mapping[str, Any],
    mapping: OrgMapping,
    shared: bool = False,
    ip: str | None = None,
) -> SavedScenario:
    """Save a scenario for an organisation inside the owner's scope (else :class:`PermissionDenied`)."""
    org = _normalise_org(org_code)
    if org is None:
        raise AccountError("A scenario needs an organisation code")
    if not Scope.for_user(owner).contains_org(org, mapping):
        raise PermissionDenied(f"{org} is outside your organisation")
    return _insert_scenario(session, owner, org=org, name=name, params=params, shared=shared, ip=ip)


def _insert_scenario(
    session: Session, owner: User, *, org: str, name: str, params: Mapping[str, Any], shared: bool, ip: str | None
) -> SavedScenario:
    """Add a scenario whose organisation the caller has already checked; audited as ``create``."""
    now = _utc_now()
    scenario = SavedScenario(
        slug=str(uuid.uuid4()),
        owner_id=owner.id,
        org_code=org,
        name=_check_name(name),
        params=_params_json(params),
        shared=shared,
        created_at=now,
        updated_at=now,
    )
    session.add(scenario)
    session.flush()
    record_audit(session, owner, "create", "saved_scenario", scenario.slug, None, _scenario_state(scenario), ip)
    return scenario


def get_scenario(session: Session, user: User, slug: str, mapping: OrgMapping) -> SavedScenario:
    """The scenario behind a share link, if this user may read it; else :class:`ScenarioNotFound`."""
    scenario = session.scalar(select(SavedScenario).where(SavedScenario.slug == slug.strip().lower()))
    if scenario is None or not can_read_scenario(user, scenario, mapping):
        raise ScenarioNotFound(slug)
    return scenario


def list_scenarios(session: Session, user: User, mapping: OrgMapping) -> Sequence[SavedScenario]:
    """Scenarios the user may read, newest change first."""
    query = select(SavedScenario).order_by(SavedScenario.updated_at.desc(), SavedScenario.id.desc())
    if user.role != "admin":
        query = query.where(or_(SavedScenario.owner_id == user.id, SavedScenario.shared.is_(True)))
    return [s for s in session.scalars(query) if can_read_scenario(user, s, mapping)]


def update_scenario(
    session: Session,
    user: User,
    slug: str,
    mapping: OrgMapping,
    *,
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    shared: bool | None = None,
    ip: str | None = None,
) -> SavedScenario:
    """Change name, params or sharing.

    Not readable -> :class:`ScenarioNotFound`; readable but not the owner -> :class:`PermissionDenied`.
    """
    scenario = get_scenario(session, user, slug, mapping)
    if not can_write_scenario(user, scenario):
        raise PermissionDenied("Only the owner can change this scenario")
    before = _scenario_state(scenario)
    if name is not None:
        scenario.name = _check_name(name)
    if params is not None:
        scenario.params = _params_json(params)
    if shared is not None:
        scenario.shared = shared
    scenario.updated_at = _utc_now()
    session.flush()
    record_audit(session, user, "update", "saved_scenario", scenario.slug, before, _scenario_state(scenario), ip)
    return scenario


def delete_scenario(session: Session, user: User, slug: str, mapping: OrgMapping, *, ip: str | None = None) -> None:
    """Delete a scenario. Same errors as :func:`update_scenario`."""
    scenario = get_scenario(session, user, slug, mapping)
    if not can_write_scenario(user, scenario):
        raise PermissionDenied("Only the owner can delete this scenario")
    before = _scenario_state(scenario)
    session.delete(scenario)
    session.flush()
    record_audit(session, user, "delete", "saved_scenario", slug, before, None, ip)


# --- Open organisations and display names (added with the scenario and correction pages) ----
#
# England and the NHS regions are aggregates of hundreds of practices whose figures every
# user may model. The functions below extend the scenario rules above to them without
# changing those rules: ``open_orgs`` holds the upper-case codes of such organisations.


def scopes_overlap(a: Scope, b: Scope, mapping: OrgMapping) -> bool:
    """True if some practice lies in both scopes: the two users work in the same area."""
    if a.is_all:
        return b.is_all or any(b.allows(p, mapping) for p in mapping)
    if b.is_all:
        return any(a.allows(p, mapping) for p in mapping)
    return any(a.allows(p, mapping) and b.allows(p, mapping) for p in mapping)


def can_read_scenario_allowing_open(
    user: User, scenario: SavedScenario, mapping: OrgMapping, *, owner: User | None, open_orgs: Collection[str]
) -> bool:
    """:func:`can_read_scenario`, plus: a *shared* scenario of an open organisation can be read by
    colleagues in the owner's area (users whose scope shares a practice with the owner's).

    "Share with colleagues in my area" means the organisation's area for a practice, PCN or ICB
    scenario, and the owner's own area for an England or region scenario (which lies inside
    nobody's scope but an admin's).
    """
    if can_read_scenario(user, scenario, mapping):
        return True
    if user.disabled or not scenario.shared or owner is None or owner.disabled:
        return False
    if scenario.org_code.upper() not in open_orgs:
        return False
    return scopes_overlap(Scope.for_user(owner), Scope.for_user(user), mapping)


def create_scenario_allowing_open(
    session: Session,
    owner: User,
    *,
    name: str,
    org_code: str,
    params: Mapping[str, Any],
    mapping: OrgMapping,
    open_orgs: Collection[str],
    shared: bool = False,
    ip: str | None = None,
) -> SavedScenario:
    """:func:`create_scenario`, but anyone may save a scenario for an organisation in ``open_orgs``."""
    org = _normalise_org(org_code)
    if org is None:
        raise AccountError("A scenario needs an organisation code")
    if org not in open_orgs and not Scope.for_user(owner).contains_org(org, mapping):
        raise PermissionDenied(f"{org} is outside your organisation")
    return _insert_scenario(session, owner, org=org, name=name, params=params, shared=shared, ip=ip)


def get_scenario_allowing_open(
    session: Session, user: User, slug: str, mapping: OrgMapping, *, open_orgs: Collection[str]
) -> SavedScenario:
    """:func:`get_scenario` under :func:`can_read_scenario_allowing_open`; else :class:`ScenarioNotFound`."""
    scenario = session.scalar(select(SavedScenario).where(SavedScenario.slug == slug.strip().lower()))
    if scenario is None:
        raise ScenarioNotFound(slug)
    owner = session.get(User, scenario.owner_id)
    if not can_read_scenario_allowing_open(user, scenario, mapping, owner=owner, open_orgs=open_orgs):
        raise ScenarioNotFound(slug)
    return scenario


def list_scenarios_allowing_open(
    session: Session, user: User, mapping: OrgMapping, *, open_orgs: Collection[str]
) -> list[SavedScenario]:
    """Scenarios the user may read under :func:`can_read_scenario_allowing_open`, newest change first."""
    query = select(SavedScenario).order_by(SavedScenario.updated_at.desc(), SavedScenario.id.desc())
    if user.role != "admin":
        query = query.where(or_(SavedScenario.owner_id == user.id, SavedScenario.shared.is_(True)))
    scenarios = list(session.scalars(query))
    owner_ids = {s.owner_id for s in scenarios}
    owners = {u.id: u for u in session.scalars(select(User).where(User.id.in_(owner_ids)))} if owner_ids else {}
    return [
        s
        for s in scenarios
        if can_read_scenario_allowing_open(user, s, mapping, owner=owners.get(s.owner_id), open_orgs=open_orgs)
    ]


class UserLike(Protocol):
    """What :func:`user_label` reads: a ``User`` row or a session snapshot of one."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def org_code(self) -> str | None: ...


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


def add_user(engine: Engine, email: str, password: str, role: str, org_code: str | None) -> None:
    """:func:`create_user` in a transaction of its own (for the CLI, which holds no session)."""
    with store.session_scope(engine) as s:
        create_user(s, email, password, role, org_code)
