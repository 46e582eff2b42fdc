"""How long sign-in attempts are kept, and their purge (at start-up, at sign-in, ``gpworkforce audit purge-logins``),
with the expired server-side sessions (``services.sessions.purge_expired_sessions``).

``login_attempt`` rows (an email address and an IP address per attempt) exist only for rate
limiting, which looks back minutes, not days. The audit log keeps every sign-in, failure and
lockout for good, so purging attempts loses no history. Kept for
:data:`LOGIN_ATTEMPT_RETENTION` (30 days): long enough to look into a slow password-guessing
campaign from the attempts table while it is still news (an incident review usually starts
within days to weeks), short enough to honour UK GDPR's storage limitation (Art. 5(1)(e)) for
addresses typed by people who are not users. Never less than :data:`MIN_RETENTION` (1 day),
well above any lockout window.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from gpworkforce import store
from gpworkforce.services.sessions import purge_expired_sessions
from gpworkforce.store.accounts import LoginAttempt

__all__ = [
    "LOGIN_ATTEMPT_RETENTION",
    "MIN_RETENTION",
    "purge_at_sign_in",
    "purge_login_attempts_due",
    "purge_old_login_attempts",
]

LOGIN_ATTEMPT_RETENTION: Final = timedelta(days=30)
MIN_RETENTION: Final = timedelta(days=1)
#: A process purges at most this often from sign-in (start-up and the command always purge).
_PURGE_EVERY_SECONDS: Final = 6 * 60 * 60

_last_purge: dict[str, float] = {}
_lock = threading.Lock()


def purge_old_login_attempts(session: Session, older_than: timedelta = LOGIN_ATTEMPT_RETENTION) -> int:
    """Delete sign-in attempts older than ``older_than`` (at least :data:`MIN_RETENTION`); how many went."""
    cutoff = datetime.now(UTC) - max(older_than, MIN_RETENTION)
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def _due(key: str, force: bool) -> bool:
    now = time.monotonic()
    with _lock:
        if not force and now - _last_purge.get(key, -float(_PURGE_EVERY_SECONDS)) < _PURGE_EVERY_SECONDS:
            return False
        _last_purge[key] = now
        return True


def purge_login_attempts_due(engine: Engine, *, force: bool = False) -> int | None:
    """Purge in its own unit of work unless this process did so within the last 6 hours
    (``force``: regardless, as at start-up). None when skipped."""
    if not _due(engine.url.render_as_string(hide_password=True), force):
        return None
    with store.session_scope(engine, write=True) as session:
        purge_expired_sessions(session)
        return purge_old_login_attempts(session)


def purge_at_sign_in(session: Session) -> int | None:
    """At a sign-in, in its transaction: purge if this process has not for 6 hours. None when skipped."""
    bind = session.get_bind()
    if not _due(bind.engine.url.render_as_string(hide_password=True), False):
        return None
    purge_expired_sessions(session)
    return purge_old_login_attempts(session)
