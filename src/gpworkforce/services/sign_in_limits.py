"""How fast anyone may guess passwords: a delay that grows with failures, not a lock.

A hard lock (five failures, 15 minutes) let anyone who knew an email address keep its owner
out, and 20 failures from one address locked out everyone behind that NAT. Instead:

- After ``ACCOUNT_FREE_FAILURES`` failures on an account (since its last success, within
  ``FAILURE_WINDOW``) each further attempt must wait ``BASE_DELAY * 2 ** (extra failures)`` after
  the previous failure, at most ``MAX_DELAY``. The same for one IP address from
  ``ADDRESS_FREE_FAILURES``. A waiting attempt is answered "wait N seconds" and not checked.
- A browser the user has signed in on carries a signed *device token* (OWASP "device cookies").
  An attempt with a valid token for that account skips both delays, so strangers' failures never
  slow the real user down on their own device; the token's own failures are counted, and after
  ``DEVICE_FAILURE_LIMIT`` of them it is trusted no more (until a success).
- A successful sign-in ends the account's delay; ``gpworkforce user unlock`` (an admin) clears
  the account's failures.

Guessing stays slow: past the free failures, at most one guess per ``MAX_DELAY`` per account
(288 a day at 5 minutes) and per address. See docs/decisions/0001-web-security.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpworkforce.services.audit import as_utc
from gpworkforce.store.accounts import LoginAttempt

__all__ = [
    "ACCOUNT_FREE_FAILURES",
    "ADDRESS_FREE_FAILURES",
    "BASE_DELAY",
    "DEVICE_FAILURE_LIMIT",
    "FAILURE_WINDOW",
    "MAX_DELAY",
    "delay_after",
    "device_user",
    "make_device_token",
    "wait_seconds",
]

#: Failures an account takes before any delay: a person mistyping a few times is never slowed.
ACCOUNT_FREE_FAILURES: Final = 5
#: Failures one IP address takes before any delay: higher, as a practice's NAT is many people.
ADDRESS_FREE_FAILURES: Final = 20
#: The first delay; it doubles with each failure after the free ones.
BASE_DELAY: Final = timedelta(seconds=2)
#: The longest wait: what a real user without their device may have to wait during an attack.
MAX_DELAY: Final = timedelta(minutes=5)
#: Failures older than this are forgotten (an hour of quiet resets everything).
FAILURE_WINDOW: Final = timedelta(hours=1)
#: Failures through one device token before it no longer skips the delays.
DEVICE_FAILURE_LIMIT: Final = 10


def delay_after(failures: int, free: int) -> timedelta:
    """The wait after the last of ``failures`` failures when ``free`` cost nothing."""
    if failures < free:
        return timedelta(0)
    return min(BASE_DELAY * 2 ** min(failures - free, 20), MAX_DELAY)


def _failures(session: Session, since: datetime, **where: str | None) -> tuple[int, datetime | None]:
    """How many failures match ``where`` since ``since``, and when the latest was."""
    query = select(func.count(), func.max(LoginAttempt.at)).where(
        LoginAttempt.success.is_(False), LoginAttempt.at >= since
    )
    for column, value in where.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    count, latest = session.execute(query).one()
    return int(count or 0), as_utc(latest) if latest is not None else None


def _wait(count: int, latest: datetime | None, free: int, now: datetime) -> float:
    if latest is None:
        return 0.0
    return max(0.0, (latest + delay_after(count, free) - now).total_seconds())


def wait_seconds(session: Session, email: str, ip: str | None, device: str | None, now: datetime) -> float:
    """Seconds before an attempt on ``email`` from ``ip`` may be checked (0: go ahead).

    ``device`` is the SHA-256 of a device token already verified as this account's, or None.
    """
    window_start = now - FAILURE_WINDOW
    if device is not None:
        count, _ = _failures(session, window_start, email=email, device=device)
        if count < DEVICE_FAILURE_LIMIT:
            return 0.0
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.success.is_(True))
    )
    since = max(window_start, as_utc(last_success)) if last_success is not None else window_start
    wait = _wait(*_failures(session, since, email=email), ACCOUNT_FREE_FAILURES, now)
    if ip is not None:
        wait = max(wait, _wait(*_failures(session, window_start, ip=ip), ADDRESS_FREE_FAILURES, now))
    return wait


def _signature(secret_key: str, body: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), f"device:{body}".encode(), hashlib.sha256).hexdigest()[:32]


def make_device_token(user_id: int, secret_key: str) -> str:
    """A token for the cookie of a browser ``user_id`` has just signed in on (signed, no row)."""
    body = f"{user_id}.{secrets.token_urlsafe(16)}"
    return f"{body}.{_signature(secret_key, body)}"


def device_user(token: str | None, secret_key: str) -> int | None:
    """The user id a device token was issued to, or None if it is not a genuine one."""
    if not token or len(token) > 200:
        return None
    body, _, signature = token.rpartition(".")
    user_id, _, _nonce = body.partition(".")
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 18:
        return None
    if not hmac.compare_digest(signature.encode("utf-8"), _signature(secret_key, body).encode("utf-8")):
        return None
    return int(user_id)
