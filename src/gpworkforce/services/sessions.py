"""Server-side sessions: a row per signed-in browser, so ending a session is deleting a row.

The signed cookie alone could not be revoked: a copy taken before sign-out kept working until
it expired. Now the cookie carries a random token and the ``user_session`` table its SHA-256;
a request is signed in only while the row exists. Sign-out deletes the row, a password change
deletes the user's other rows, disabling or deleting a user deletes them all.

Like the other account services these work inside the caller's session and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gpworkforce.services.audit import as_utc
from gpworkforce.store.accounts import UserSession

__all__ = [
    "SESSION_LIFETIME",
    "end_session",
    "end_user_sessions",
    "open_session",
    "purge_expired_sessions",
    "session_owner",
    "token_digest",
]

#: Sessions end this long after sign-in even if used continuously (the cookie itself slides).
SESSION_LIFETIME: Final = timedelta(hours=12)


def token_digest(token: str) -> str:
    """SHA-256 hex of a session or device token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def purge_expired_sessions(session: Session) -> int:
    """Delete every user's sessions older than :data:`SESSION_LIFETIME` (they no longer open
    anything: :func:`session_owner` checks the age too); how many went. Run with the sign-in
    attempt purge, so a user who never signs in again leaves no session rows behind."""
    cutoff = datetime.now(UTC) - SESSION_LIFETIME
    result = session.execute(delete(UserSession).where(UserSession.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def open_session(session: Session, user_id: int, ip: str | None) -> str:
    """A new session for ``user_id``; returns the token for the cookie (never stored as such).

    Expired rows of the same user go at the same time, so the table does not grow.
    """
    now = datetime.now(UTC)
    session.execute(
        delete(UserSession).where(UserSession.user_id == user_id, UserSession.created_at < now - SESSION_LIFETIME)
    )
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=token_digest(token), user_id=user_id, created_at=now, ip=ip))
    session.flush()
    return token


def session_owner(session: Session, token: str) -> int | None:
    """The user id of a live session with this token, or None (ended, expired or never issued)."""
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == token_digest(token)))
    if row is None or datetime.now(UTC) - as_utc(row.created_at) > SESSION_LIFETIME:
        return None
    return row.user_id


def end_session(session: Session, token: str) -> None:
    """End the session with this token (sign-out); nothing happens if it has already ended."""
    session.execute(delete(UserSession).where(UserSession.token_hash == token_digest(token)))


def end_user_sessions(session: Session, user_id: int, *, keep: str | None = None) -> int:
    """End every session of ``user_id`` except the one with token ``keep``; returns how many ended."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        query = query.where(UserSession.token_hash != token_digest(keep))
    return int(getattr(session.execute(query), "rowcount", 0) or 0)
