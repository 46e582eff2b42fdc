"""Users and signing in: accounts, password policy, rate limiting and the signed-in user.

Functions work inside the caller's session and never commit: the caller owns the unit of
work (a web request, a CLI command). A failed sign-in also adds rows (the attempt, an audit
entry); the caller must commit those too, or rate limiting never sees them (the web route does).

Outside this package a user is a :class:`SignedInUser` (a frozen copy, safe after the session
closes), never a database row. The access rules are in :mod:`gpworkforce.services.access`,
the audit trail in :mod:`gpworkforce.services.audit`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.services.access import Scope, normalise_org
from gpworkforce.services.audit import ROLE_LABELS, as_utc, record_audit
from gpworkforce.store.accounts import USER_ROLES, LoginAttempt, User

__all__ = [
    "IP_FAILURE_LIMIT",
    "LOCKOUT_WINDOW",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "PER_EMAIL_FAILURE_LIMIT",
    "ROLE_LABELS",
    "USER_ROLES",
    "AccountError",
    "PermissionDenied",
    "SignInLocked",
    "SignedInUser",
    "add_user",
    "authenticate",
    "create_user",
    "get_user",
    "hash_password",
    "normalise_email",
    "purge_login_attempts",
    "session_user",
    "set_hasher",
    "set_password",
    "sign_in",
    "sign_out",
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


_EMAIL_RE: Final = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ORG_CODE_RE: Final = re.compile(r"^[A-Z0-9]{3,10}$")

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


class PermissionDenied(PermissionError):
    """The user may not do this (the message, safe to show, says why)."""


# --- Helpers --------------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def normalise_email(email: str) -> str:
    """Trim and lower-case, so sign-in is case-insensitive and the unique constraint means one person."""
    return email.strip().lower()


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
    org = normalise_org(org_code)
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


# --- The signed-in user ---------------------------------------------------------------------


@dataclass(frozen=True)
class SignedInUser:
    """A user as the rest of the product sees them: a plain copy, safe after the session closes.

    ``credential`` binds a web session to the password: an HMAC of the stored hash under the
    app's secret key, so a password change ends other sessions (the hash itself stays here).
    """

    id: int
    email: str
    role: str
    org_code: str | None
    created_at: datetime
    disabled: bool = False
    credential: str = field(default="", repr=False, compare=False)

    @classmethod
    def of(cls, user: User, secret_key: str = "") -> SignedInUser:
        mac = hmac.new(secret_key.encode("utf-8"), user.password_hash.encode("utf-8"), hashlib.sha256)
        return cls(
            user.id, user.email, user.role, user.org_code, as_utc(user.created_at), user.disabled, mac.hexdigest()[:32]
        )

    @property
    def scope(self) -> Scope:
        return Scope.for_user(self)


def sign_in(session: Session, email: str, password: str, ip: str | None, secret_key: str) -> SignedInUser | None:
    """:func:`authenticate`, answering the signed-in user (same errors, same commit duty)."""
    user = authenticate(session, email, password, ip)
    return None if user is None else SignedInUser.of(user, secret_key)


def session_user(session: Session, user_id: int, secret_key: str) -> SignedInUser | None:
    """The enabled user with this id, or None (deleted or disabled since the session began)."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        return None
    return SignedInUser.of(user, secret_key)


def sign_out(session: Session, user: SignedInUser, ip: str | None) -> None:
    """Audit the end of a session."""
    record_audit(session, user, "sign_out", "user_account", str(user.id), None, None, ip)


def add_user(engine: Engine, email: str, password: str, role: str, org_code: str | None) -> None:
    """:func:`create_user` in a transaction of its own (for the CLI, which holds no session)."""
    with store.session_scope(engine, write=True) as s:
        create_user(s, email, password, role, org_code)
