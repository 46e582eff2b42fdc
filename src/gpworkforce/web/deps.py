"""Every FastAPI dependency of the web app, as ``Annotated`` aliases: ``def page(user: RequireUser)``.

- :data:`SessionDep`: a SQLAlchemy session for the request. It commits when the route returns
  normally and rolls back if it raises, both *before* the response is sent (``scope="function"``),
  so a redirect after POST never races the commit.
- :data:`CurrentUser`: the signed-in :class:`~gpworkforce.services.accounts.SignedInUser` or None.
- :data:`RequireUser`: the user, else sign-in redirect (HTML) or 401 JSON (``/api``, HTMX).
- :func:`require_role` / :data:`RequireAdmin` / :data:`AuditViewer`: 403 for other roles.
- :data:`Viewer`: who is signed in, with their :class:`Permissions`, for read-only pages.
- :data:`ContextDep`, :data:`DashboardDep`, :data:`SnapshotDep`: the analysis state.
- :data:`FormFields`: a submitted form as text.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gpworkforce.reference import load_reference
from gpworkforce.scenario import Scenario
from gpworkforce.services.access import Scope
from gpworkforce.services.accounts import SignedInUser, session_user
from gpworkforce.services.corrections import can_correct
from gpworkforce.services.database import unit_of_work
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.scopes import is_open_org, scope_allows_org
from gpworkforce.services.sessions import SESSION_LIFETIME, session_owner
from gpworkforce.services.versions import DataVersion, Workspace
from gpworkforce.web.context import Dashboard, Snapshot
from gpworkforce.web.scenario_form import ScenarioError
from gpworkforce.web.security import rotate_csrf_token

SESSION_USER_KEY: Final = "uid"
SESSION_FINGERPRINT_KEY: Final = "pwf"
SESSION_ISSUED_KEY: Final = "iat"
#: The server-side session's token (its SHA-256 is the ``user_session`` row; see services.sessions).
SESSION_TOKEN_KEY: Final = "sid"
#: Sessions end this long after sign-in even if used continuously (the cookie itself slides).
ABSOLUTE_SESSION_SECONDS: Final = int(SESSION_LIFETIME.total_seconds())

__all__ = [
    "ApiScenario",
    "ApiSnapshot",
    "AuditViewer",
    "ContextDep",
    "CurrentUser",
    "DashboardDep",
    "FormFields",
    "LoginRequired",
    "Permissions",
    "RequireAdmin",
    "RequireUser",
    "SessionDep",
    "SignedInUser",
    "SnapshotDep",
    "UserScope",
    "Viewer",
    "client_ip",
    "end_session",
    "get_context",
    "load_session_user_alone",
    "ready_snapshot",
    "remember_user",
    "require_role",
    "session_token",
    "start_session",
]


class LoginRequired(Exception):
    """Raised by :data:`RequireUser`; turned into a redirect or a 401 by the error handlers."""


# --- Analysis state -----------------------------------------------------------------------------

_ctx_lock = threading.Lock()


def get_context(request: Request) -> Workspace:
    """The app's services :class:`Workspace`: ``app.state.ctx`` if set, else one made now and kept there."""
    state = request.app.state
    ctx = getattr(state, "ctx", None)
    if ctx is None:
        with _ctx_lock:
            ctx = getattr(state, "ctx", None)
            if ctx is None:
                ctx = Workspace(state.engine, load_reference())
                state.ctx = ctx
    assert isinstance(ctx, Workspace)
    return ctx


ContextDep = Annotated[Workspace, Depends(get_context)]


async def get_dashboard(request: Request) -> Dashboard:
    """The app's :class:`Dashboard` (``app.state.dashboard``)."""
    dashboard: Dashboard = request.app.state.dashboard
    return dashboard


DashboardDep = Annotated[Dashboard, Depends(get_dashboard)]


def get_snapshot(dashboard: DashboardDep) -> Snapshot:
    """The data version this request uses throughout."""
    return dashboard.snapshot()


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]


async def ready_snapshot(dashboard: Dashboard) -> Snapshot:
    """The request's snapshot, from memory when current, else checked or built in a worker thread.

    For async routes: their model runs and rendering are pure CPU and run on the event loop
    (threads would only take turns on the GIL, and starve the loop that reads and writes
    every connection), but a database check or a rebuild must not block it.
    """
    snap = dashboard.fresh_snapshot()
    return snap if snap is not None else await run_in_threadpool(dashboard.snapshot)


def api_snapshot(dashboard: DashboardDep) -> Snapshot:
    """The data version for an API request; 503 JSON when no national data are loaded."""
    try:
        return dashboard.snapshot()
    except DataMissingError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None


ApiSnapshot = Annotated[Snapshot, Depends(api_snapshot)]
#: Query fields of the API that are not scenario settings.
API_NOT_SCENARIO: Final = frozenset({"by", "q", "month"})


def api_scenario(request: Request, snap: ApiSnapshot) -> Scenario:
    """The scenario in an API query string; 422 naming every invalid field.

    Strict, unlike the pages: an unknown parameter is a 422, so a misspelt lever in a script
    (``shift_shar=0.3``) fails loudly instead of returning the baseline.
    """
    fields = {k: v for k, v in request.query_params.items() if k not in API_NOT_SCENARIO}
    try:
        scenario, _ = snap.parse(fields)
    except ScenarioError as exc:
        detail = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
        raise HTTPException(status_code=422, detail=detail) from None
    return scenario


ApiScenario = Annotated[Scenario, Depends(api_scenario)]


# --- Database and session -----------------------------------------------------------------------


#: Methods that never write: their requests read without taking the database's write lock.
READ_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Iterator[Session]:
    """One session per request on the app's engine (see :data:`SessionDep`).

    A POST, PUT, PATCH or DELETE is a write unit of work: on SQLite it takes the write lock
    at its first statement, so concurrent writes (sign-ins, corrections) queue instead of
    failing, and a sign-in's attempt and audit rows commit with the check that counted them.
    """
    with unit_of_work(request.app.state.engine, write=request.method not in READ_METHODS) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def client_ip(request: Request) -> str | None:
    """The client address as uvicorn resolved it: the TCP peer, or X-Forwarded-For only when the peer is
    a proxy trusted with ``gpworkforce serve --forwarded-allow-ips`` (never read from headers here)."""
    return request.client.host if request.client else None


def start_session(request: Request, user: SignedInUser, token: str) -> None:
    """Sign ``user`` in with the server-side session ``token``: drop everything from before
    (fixation) and issue a new CSRF token."""
    request.session.clear()
    request.session[SESSION_TOKEN_KEY] = token
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_FINGERPRINT_KEY] = user.credential
    request.session[SESSION_ISSUED_KEY] = int(time.time())
    rotate_csrf_token(request)


def end_session(request: Request) -> None:
    """Sign out in the browser: forget the user and the CSRF token (the server row: sign_out)."""
    request.session.clear()


def session_token(request: Request) -> str | None:
    """The server-side session token the cookie carries, if any."""
    token = request.session.get(SESSION_TOKEN_KEY)
    return token if isinstance(token, str) and token else None


def load_session_user(request: Request, db: Session) -> SignedInUser | None:
    """The user the session cookie names, if still valid: its server-side session exists (not signed
    out, not ended by a password change or disabling), the user is enabled, not expired."""
    user_id = request.session.get(SESSION_USER_KEY)
    if not isinstance(user_id, int):
        return None
    token = session_token(request)
    user = session_user(db, user_id, request.app.state.secret_key) if token else None
    if user is not None and (token is None or session_owner(db, token) != user_id):
        user = None
    issued = request.session.get(SESSION_ISSUED_KEY)
    valid = (
        user is not None
        and isinstance(issued, int)
        and 0 <= time.time() - issued <= ABSOLUTE_SESSION_SECONDS
        and hmac.compare_digest(str(request.session.get(SESSION_FINGERPRINT_KEY, "")), user.credential)
    )
    if not valid:
        end_session(request)
        return None
    return user


def load_session_user_alone(request: Request) -> SignedInUser | None:
    """:func:`load_session_user` in a session of its own (for code without a request session)."""
    with unit_of_work(request.app.state.engine) as db:
        return load_session_user(request, db)


# --- Permissions, decided before anything renders -----------------------------------------------


@dataclass(frozen=True)
class Permissions:
    """What the signed-in user may do on the organisation pages, answered from data in memory.

    Built in a dependency (with the national data's organisations loaded there), so templates
    only ask plain questions and never reach the database while rendering.
    """

    scope: Scope
    version: DataVersion | None

    def may_correct_fte(self, practice_code: str | None) -> bool:
        """The user may correct this practice's FTE (the page shows the link)."""
        if not practice_code or self.version is None:
            return False
        return can_correct(self.scope, str(practice_code), self.version)

    def may_see_register(self, org_code: str | None) -> bool:
        """The user may see this organisation's staff register (a practice in scope, or an organisation
        wholly inside the scope; the page shows the link)."""
        if not org_code or self.version is None:
            return False
        code = str(org_code)
        if can_correct(self.scope, code, self.version):
            return True
        return not is_open_org(self.version, code) and scope_allows_org(self.scope, code, self.version)

    def may_save_scenario(self, org_code: str | None) -> bool:
        """The user may save a scenario for this organisation (open ones, or inside their scope)."""
        if not org_code or self.version is None:
            return False
        return is_open_org(self.version, str(org_code)) or scope_allows_org(self.scope, str(org_code), self.version)


def permissions_for(request: Request, user: SignedInUser | None) -> Permissions | None:
    """The user's :class:`Permissions` (may query the database: not on the event loop)."""
    if user is None:
        return None
    try:
        version: DataVersion | None = get_context(request).version()
    except DataMissingError:
        version = None
    return Permissions(user.scope, version)


def remember_user(request: Request, user: SignedInUser | None, permissions: Permissions | None = None) -> None:
    """Keep the loaded user (and permissions, when known) for this request; templates read them."""
    request.state.user = user
    request.state.signed_in = user
    request.state.permissions = permissions


def _load_viewer(request: Request) -> tuple[SignedInUser | None, Permissions | None]:
    user = load_session_user_alone(request)
    return user, permissions_for(request, user)


# --- Users --------------------------------------------------------------------------------------


def get_current_user(request: Request) -> SignedInUser | None:
    """Load once per request and remember on ``request.state.user`` (templates show it in the header).

    Read in a short session of its own, not the request's: on SQLite a write request's session
    holds the one write lock from its first statement, and reading the user there made every
    write hold it through all the route's work before its first write (issue 11's load run).
    """
    if not hasattr(request.state, "user"):
        remember_user(request, load_session_user_alone(request))
    user: SignedInUser | None = request.state.user
    return user


CurrentUser = Annotated[SignedInUser | None, Depends(get_current_user)]


async def get_viewer(request: Request) -> SignedInUser | None:
    """Who is signed in, and what they may do, for read-only pages that only show it.

    Unlike :data:`CurrentUser` it opens no database session for an anonymous visitor and is
    async, so a public page makes no trip through the thread pool before its own work.
    """
    if not hasattr(request.state, "signed_in"):
        if isinstance(request.session.get(SESSION_USER_KEY), int):
            remember_user(request, *await run_in_threadpool(_load_viewer, request))
        else:
            remember_user(request, None)
    viewer: SignedInUser | None = request.state.signed_in
    return viewer


Viewer = Annotated[SignedInUser | None, Depends(get_viewer)]


def get_required_user(user: CurrentUser) -> SignedInUser:
    """The signed-in user, else :class:`LoginRequired`."""
    if user is None:
        raise LoginRequired()
    return user


RequireUser = Annotated[SignedInUser, Depends(get_required_user)]


def require_role(*roles: str) -> Callable[[SignedInUser], SignedInUser]:
    """A dependency that lets only the given roles through (403 for the rest)."""

    def dependency(user: RequireUser) -> SignedInUser:
        if user.role not in roles:
            raise HTTPException(status_code=403, detail="Your role does not allow this")
        return user

    return dependency


RequireAdmin = Annotated[SignedInUser, Depends(require_role("admin"))]
AuditViewer = Annotated[SignedInUser, Depends(require_role("admin", "icb_analyst"))]


def get_scope(user: RequireUser) -> Scope:
    """The signed-in user's organisational scope."""
    return user.scope


UserScope = Annotated[Scope, Depends(get_scope)]


async def _form_fields(request: Request) -> dict[str, str]:
    """The submitted form as text (last value wins); a file upload is not a number."""
    form = await request.form()
    return {k: v if isinstance(v, str) else "" for k, v in form.items()}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]
