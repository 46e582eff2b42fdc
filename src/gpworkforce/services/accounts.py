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
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.services.access import Scope, normalise_org
from gpworkforce.services.audit import ROLE_LABELS, as_utc, record_audit
from gpworkforce.services.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, check_new_password
from gpworkforce.services.retention import purge_at_sign_in
from gpworkforce.services.sessions import end_session, end_user_sessions, open_session, token_digest
from gpworkforce.services.sign_in_limits import FAILURE_WINDOW, device_user, make_device_token, wait_seconds
from gpworkforce.store.accounts import USER_ROLES, LoginAttempt, User

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "ROLE_LABELS",
    "USER_ROLES",
    "AccountError",
    "PasswordCheck",
    "PermissionDenied",
    "SignInLocked",
    "SignedInUser",
    "add_user",
    "authenticate",
    "change_password",
    "check_password",
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
    "start_web_session",
]

# --- Constants ------------------------------------------------------------------------------


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
    """Too many recent failures for this email or IP address: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        wait = f"{retry_after} seconds" if retry_after < 120 else f"{-(-retry_after // 60)} minutes"
        super().__init__(f"There have been too many failed attempts to sign in. Wait {wait} and try again.")


class PermissionDenied(PermissionError):
    """The user may not do this (the message, safe to show, says why)."""


# --- Helpers --------------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def normalise_email(email: str) -> str:
    """Trim and lower-case, so sign-in is case-insensitive and the unique constraint means one person."""
    return email.strip().lower()


def hash_password(password: str, email: str | None = None) -> str:
    """Argon2id hash (``$argon2id$...``) after the policy check (:mod:`~gpworkforce.services.passwords`)."""
    try:
        check_new_password(password, email)
    except ValueError as exc:
        raise AccountError(str(exc)) from None
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
    password_hash = hash_password(password, address)
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


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    ip: str | None = None,
    keep_session: str | None = None,
    by_admin: bool = False,
) -> None:
    """Replace a password (policy-checked) and end every session but ``keep_session``.

    ``by_admin``: an administrator's reset (audited as ``password_reset``, no actor), not the
    user's own change.
    """
    user.password_hash = hash_password(password, user.email)
    end_user_sessions(session, user.id, keep=keep_session)
    action = "password_reset" if by_admin else "password_changed"
    record_audit(session, None if by_admin else user, action, "user_account", str(user.id), None, None, ip)


@dataclass(frozen=True)
class PasswordCheck:
    """A password checked before the unit of work that records it (:func:`check_password`).

    Argon2 costs tens of milliseconds of CPU on purpose; on SQLite a sign-in that verified it
    inside its write transaction held the one write lock all that time, so sign-ins under load
    queued behind each other's hashing. ``hash_checked`` is the stored hash the password was
    verified against (None: no such account); :func:`authenticate` trusts the result only if
    the account still has that hash.
    """

    email: str
    hash_checked: str | None
    ok: bool
    new_hash: str | None = field(default=None, repr=False)
    must_wait: bool = False


def _verify(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """Verify ``password`` in equal time whether or not the account exists."""
    if len(password) > MAX_PASSWORD_LENGTH:
        _hasher.verify("x", _dummy_hash)  # same cost as a real check, whatever the outcome
        return False, None
    if stored_hash is None:
        _hasher.verify(password, _dummy_hash)
        return False, None
    return _hasher.verify_and_update(password, stored_hash)


def _device(user: User | None, device_token: str | None, secret_key: str) -> str | None:
    """The digest of ``device_token`` if it is a genuine token of this account's, else None."""
    if user is not None and device_token and device_user(device_token, secret_key) == user.id:
        return token_digest(device_token)
    return None


def check_password(
    engine: Engine, email: str, password: str, ip: str | None, *, device_token: str | None = None, secret_key: str = ""
) -> PasswordCheck:
    """Verify a sign-in's password in a read-only transaction, before any write lock is taken.

    An attempt that must wait (:mod:`~gpworkforce.services.sign_in_limits`) is not checked at
    all (``must_wait``), so waiting guesses cost no hashing. Nothing is recorded here:
    :func:`authenticate` re-checks the wait and records the attempt inside the write.
    """
    address = normalise_email(email)[:254]
    with store.session_scope(engine) as session:
        user = session.scalar(select(User).where(User.email == address))
        device = _device(user, device_token, secret_key)
        if wait_seconds(session, address, ip, device, _utc_now()) > 0:
            return PasswordCheck(address, None, False, must_wait=True)
        stored = None if user is None else user.password_hash
    ok, new_hash = _verify(password, stored)
    return PasswordCheck(address, stored, ok, new_hash)


def authenticate(
    session: Session,
    email: str,
    password: str,
    ip: str | None,
    *,
    device_token: str | None = None,
    secret_key: str = "",
    checked: PasswordCheck | None = None,
) -> User | None:
    """The active user with these credentials, or None.

    Raises :class:`SignInLocked` (without checking the password) while the account or the IP
    address must wait after recent failures (:mod:`~gpworkforce.services.sign_in_limits`); a
    ``device_token`` this account was given at an earlier sign-in skips that wait. Every checked
    attempt is recorded; the caller must commit even when this returns None, or failures are not
    counted. ``checked`` (from :func:`check_password`) supplies the verification done before
    the write began; the wait is still judged here, on the counts inside this transaction.
    """
    address = normalise_email(email)[:254]
    now = _utc_now()
    user = session.scalar(select(User).where(User.email == address))
    device = _device(user, device_token, secret_key)
    wait = wait_seconds(session, address, ip, device, now)
    if wait > 0:
        record_audit(session, None, "sign_in_locked", "user_account", address, None, None, ip)
        raise SignInLocked(max(1, int(wait + 0.999)))
    stored = None if user is None else user.password_hash
    if checked is not None and not checked.must_wait and checked.email == address and checked.hash_checked == stored:
        ok, new_hash = checked.ok, checked.new_hash
    else:  # no earlier check, or the account changed since: verify now
        ok, new_hash = _verify(password, stored)
    if ok and new_hash is not None and user is not None:  # hashing parameters were raised since it was stored
        user.password_hash = new_hash
    ok = ok and user is not None and not user.disabled
    session.add(LoginAttempt(email=address, ip=ip, at=now, success=ok, device=device))
    if ok and user is not None:
        record_audit(session, user, "sign_in", "user_account", str(user.id), None, None, ip)
        return user
    record_audit(session, None, "sign_in_failed", "user_account", address, None, None, ip)
    return None


def purge_login_attempts(session: Session, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete attempts too old to matter for rate limiting; returns how many went."""
    cutoff = _utc_now() - max(older_than, FAILURE_WINDOW)
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


def sign_in(
    session: Session,
    email: str,
    password: str,
    ip: str | None,
    secret_key: str,
    device_token: str | None = None,
    checked: PasswordCheck | None = None,
) -> SignedInUser | None:
    """:func:`authenticate`, answering the signed-in user (same errors, same commit duty)."""
    user = authenticate(session, email, password, ip, device_token=device_token, secret_key=secret_key, checked=checked)
    purge_at_sign_in(session)  # old attempts go on a schedule (services/retention.py)
    return None if user is None else SignedInUser.of(user, secret_key)


def start_web_session(session: Session, user: SignedInUser, ip: str | None, secret_key: str) -> tuple[str, str]:
    """A server-side session for a browser that just signed in: (session token, device token)."""
    return open_session(session, user.id, ip), make_device_token(user.id, secret_key)


def change_password(
    session: Session, user_id: int, current: str, new: str, *, ip: str | None, keep_session: str | None
) -> None:
    """The signed-in user changes their own password: the current one first, then the policy.

    A wrong current password counts as a failed sign-in (so a borrowed session cannot be used to
    guess it) and is refused while the account must wait. Other sessions end; this one stays.
    """
    user = session.get(User, user_id)
    if user is None or user.disabled:
        raise PermissionDenied("This account can no longer sign in")
    if not current or authenticate(session, user.email, current, ip) is None:
        raise AccountError("Your current password is not right")
    if new == current:
        raise AccountError("The new password must be different from the current one")
    set_password(session, user, new, ip=ip, keep_session=keep_session)


def session_user(session: Session, user_id: int, secret_key: str) -> SignedInUser | None:
    """The enabled user with this id, or None (deleted or disabled since the session began)."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        return None
    return SignedInUser.of(user, secret_key)


def sign_out(session: Session, user: SignedInUser | None, ip: str | None, token: str | None) -> None:
    """End the session on the server (its token stops working at once) and audit it."""
    if token:
        end_session(session, token)
    if user is not None:
        record_audit(session, user, "sign_out", "user_account", str(user.id), None, None, ip)


def add_user(engine: Engine, email: str, password: str, role: str, org_code: str | None) -> None:
    """:func:`create_user` in a transaction of its own (for the CLI, which holds no session)."""
    with store.session_scope(engine, write=True) as s:
        create_user(s, email, password, role, org_code)
