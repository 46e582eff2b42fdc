"""Request dependencies, as ``Annotated`` aliases so routes read ``def page(user: RequireUser)``.

- :data:`SessionDep`: a SQLAlchemy session for the request. It commits when the route returns
  normally and rolls back if it raises, both *before* the response is sent (``scope="function"``),
  so a redirect after POST never races the commit.
- :data:`CurrentUser`: the signed-in :class:`~gpworkforce.store.accounts.User` or None.
- :data:`RequireUser`: the user, else sign-in redirect (HTML) or 401 JSON (``/api``, HTMX).
- :func:`require_role` / :data:`RequireAdmin`: 403 for other roles.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gpworkforce.services.accounts import Scope
from gpworkforce.store import session_scope
from gpworkforce.store.accounts import User
from gpworkforce.web.security import rotate_csrf_token

SESSION_USER_KEY: Final = "uid"
SESSION_FINGERPRINT_KEY: Final = "pwf"
SESSION_ISSUED_KEY: Final = "iat"
#: Sessions end this long after sign-in even if used continuously (the cookie itself slides).
ABSOLUTE_SESSION_SECONDS: Final = 12 * 60 * 60


@dataclass(frozen=True)
class SignedInUser:
    """What templates show about the signed-in user: a plain copy, safe after the session closes."""

    id: int
    email: str
    role: str
    org_code: str | None

    @classmethod
    def of(cls, user: User | None) -> SignedInUser | None:
        return None if user is None else cls(user.id, user.email, user.role, user.org_code)


def remember_user(request: Request, user: User | None) -> None:
    """Keep the loaded user for this request; the header reads ``request.state.signed_in``."""
    request.state.user = user
    request.state.signed_in = SignedInUser.of(user)


class LoginRequired(Exception):
    """Raised by :data:`RequireUser`; turned into a redirect or a 401 by the error handlers."""


def get_db(request: Request) -> Iterator[Session]:
    """One session per request on the app's engine (see :data:`SessionDep`)."""
    with session_scope(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def client_ip(request: Request) -> str | None:
    """The peer address (uvicorn resolves X-Forwarded-For only from trusted proxies)."""
    return request.client.host if request.client else None


def _fingerprint(request: Request, user: User) -> str:
    """Binds a session to the current password hash: a password change ends other sessions."""
    key = request.app.state.secret_key.encode("utf-8")
    return hmac.new(key, user.password_hash.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def start_session(request: Request, user: User) -> None:
    """Sign ``user`` in: drop everything from before (fixation) and issue a new CSRF token."""
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_FINGERPRINT_KEY] = _fingerprint(request, user)
    request.session[SESSION_ISSUED_KEY] = int(time.time())
    rotate_csrf_token(request)


def end_session(request: Request) -> None:
    """Sign out: forget the user and the CSRF token."""
    request.session.clear()


def load_session_user(request: Request, db: Session) -> User | None:
    """The user the session cookie names, if still valid (exists, enabled, same password, not expired)."""
    user_id = request.session.get(SESSION_USER_KEY)
    if not isinstance(user_id, int):
        return None
    user = db.get(User, user_id)
    issued = request.session.get(SESSION_ISSUED_KEY)
    valid = (
        user is not None
        and not user.disabled
        and isinstance(issued, int)
        and 0 <= time.time() - issued <= ABSOLUTE_SESSION_SECONDS
        and hmac.compare_digest(str(request.session.get(SESSION_FINGERPRINT_KEY, "")), _fingerprint(request, user))
    )
    if not valid:
        end_session(request)
        return None
    return user


def get_current_user(request: Request, db: SessionDep) -> User | None:
    """Load once per request and remember on ``request.state.user`` (templates show it in the header)."""
    if not hasattr(request.state, "user"):
        remember_user(request, load_session_user(request, db))
    user: User | None = request.state.user
    return user


CurrentUser = Annotated[User | None, Depends(get_current_user)]


def load_session_user_alone(request: Request) -> User | None:
    """:func:`load_session_user` in a session of its own, the user detached (for code without a request session)."""
    with session_scope(request.app.state.engine) as db:
        user = load_session_user(request, db)
        if user is not None:
            db.expunge(user)
        return user


async def get_viewer(request: Request) -> SignedInUser | None:
    """Who is signed in, for read-only pages that only show it (header, links in partials).

    Unlike :data:`CurrentUser` it opens no database session for an anonymous visitor and is
    async, so a public page makes no trip through the thread pool before its own work.
    """
    if not hasattr(request.state, "signed_in"):
        if isinstance(request.session.get(SESSION_USER_KEY), int):
            remember_user(request, await run_in_threadpool(load_session_user_alone, request))
        else:
            remember_user(request, None)
    viewer: SignedInUser | None = request.state.signed_in
    return viewer


Viewer = Annotated[SignedInUser | None, Depends(get_viewer)]


def get_required_user(user: CurrentUser) -> User:
    """The signed-in user, else :class:`LoginRequired`."""
    if user is None:
        raise LoginRequired()
    return user


RequireUser = Annotated[User, Depends(get_required_user)]


def require_role(*roles: str) -> Callable[[User], User]:
    """A dependency that lets only the given roles through (403 for the rest)."""

    def dependency(user: RequireUser) -> User:
        if user.role not in roles:
            raise HTTPException(status_code=403, detail="Your role does not allow this")
        return user

    return dependency


RequireAdmin = Annotated[User, Depends(require_role("admin"))]


def get_scope(user: RequireUser) -> Scope:
    """The signed-in user's organisational scope."""
    return Scope.for_user(user)


UserScope = Annotated[Scope, Depends(get_scope)]
