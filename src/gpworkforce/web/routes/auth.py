"""Sign in, sign out and the account page.

Sign-in failures do not say whether the email address exists. Every attempt is committed
(by :data:`~gpworkforce.web.deps.SessionDep`) so rate limiting sees it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gpworkforce.services.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    AccountError,
    PermissionDenied,
    SignInLocked,
    change_password,
    check_password,
    session_user,
    sign_in,
    sign_out,
    start_web_session,
)
from gpworkforce.services.audit import recent_activity
from gpworkforce.web.deps import (
    CurrentUser,
    RequireUser,
    SessionDep,
    SignedInUser,
    client_ip,
    end_session,
    session_token,
    start_session,
)
from gpworkforce.web.errors import safe_next
from gpworkforce.web.templating import flash

router = APIRouter(include_in_schema=False)  # HTML pages; the JSON API is under /api

#: How long a browser stays "known" after a sign-in on it (it then skips the sign-in delays).
DEVICE_COOKIE_SECONDS: Final = 365 * 24 * 60 * 60

#: Why the sign-in page was shown, from the page the user asked for (text is ours, never the URL's).
SIGN_IN_REASONS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"/scenarios/?"), "Sign in to see your saved scenarios."),
    (re.compile(r"/scenarios/compare"), "Sign in to compare your saved scenarios."),
    (re.compile(r"/scenarios/new"), "Sign in to save a scenario."),
    (re.compile(r"/scenarios/[^/]+"), "Sign in to open this saved scenario."),
    (re.compile(r"/account"), "Sign in to see your account."),
    (re.compile(r"/audit"), "Sign in to see the audit log."),
    (re.compile(r"/org/[^/]+/fte"), "Sign in to correct a practice's staff figures (FTE)."),
)


def sign_in_reason(next_path: str) -> str | None:
    """The sentence that says why a page sent the user here, for the pages that need an account."""
    path = urlsplit(next_path).path
    return next((text for pattern, text in SIGN_IN_REASONS if pattern.fullmatch(path)), None)


def landing_page(user: SignedInUser, target: str) -> str:
    """Where to go after signing in: the page asked for, else the user's own organisation, else home."""
    if target != "/" or not user.org_code:
        return target
    return f"/org/{quote(user.org_code, safe='')}"


_ACTION_LABELS = {
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "password_changed": "Password changed",
    "password_reset": "Password reset by an administrator",
    "sign_in_failed": "Failed sign-in",
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
}


def _render_sign_in(
    request: Request,
    *,
    email: str = "",
    next_path: str = "/",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    errors = errors or {}
    context: dict[str, Any] = {
        "email": email,
        "next_path": next_path,
        "reason": sign_in_reason(next_path),
        "field_errors": errors,
        # Error summary links go to the field; a general error links to the first field.
        "error_list": [
            {"text": text, "href": f"#{field if field != 'form' else 'email'}"} for field, text in errors.items()
        ],
    }
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, "sign_in.html", context, status_code=status_code)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, user: CurrentUser, next: str = "/") -> Response:
    """The sign-in form, saying why when a page needs an account; signed-in users go straight on."""
    target = safe_next(next)
    if user is not None:
        return RedirectResponse(landing_page(user, target), status_code=303)
    return _render_sign_in(request, next_path=target)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request,
    db: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH + 1)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Check the credentials; on success start a fresh session and go to ``next`` (same site only),
    or, for a plain sign-in, to the user's own organisation page."""
    target = safe_next(next)
    email = email.strip()
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    if errors:
        return _render_sign_in(request, email=email, next_path=target, errors=errors, status_code=400)
    key, ip = request.app.state.secret_key, client_ip(request)
    device = request.cookies.get(request.app.state.device_cookie)
    # The slow hash check runs before this request's write transaction takes SQLite's one lock.
    checked = check_password(request.app.state.engine, email, password, ip, device_token=device, secret_key=key)
    try:
        user = sign_in(db, email, password, ip, key, device_token=device, checked=checked)
    except SignInLocked as exc:
        page = _render_sign_in(request, email=email, next_path=target, errors={"form": str(exc)}, status_code=429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    if user is None:
        message = "Enter a correct email address and password"
        return _render_sign_in(request, email=email, next_path=target, errors={"form": message}, status_code=400)
    if (previous := session_token(request)) is not None:
        sign_out(db, None, ip, previous)  # a sign-in over a live session replaces it on the server too
    token, device_token = start_web_session(db, user, ip, key)
    start_session(request, user, token)
    response = RedirectResponse(landing_page(user, target), status_code=303)
    response.set_cookie(
        request.app.state.device_cookie,
        device_token,
        max_age=DEVICE_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.app.state.https_only,
    )
    return response


@router.post("/sign-out")
def sign_out_submit(request: Request, db: SessionDep, user: CurrentUser) -> RedirectResponse:
    """End the session (CSRF-checked like every POST, so other sites cannot sign people out)."""
    sign_out(db, user, client_ip(request), session_token(request))
    end_session(request)
    flash(request, "You have signed out")
    return RedirectResponse("/sign-in", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, db: SessionDep, user: RequireUser) -> HTMLResponse:
    """Who you are signed in as, your role and organisation, and your recent activity."""
    rows = [
        [e.at.strftime("%-d %B %Y %H:%M"), _ACTION_LABELS.get(e.action, e.action), e.ip or ""]
        for e in recent_activity(db, user)
    ]
    context = {"user": user, "activity_rows": rows, "created_at": user.created_at}
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(request, "account.html", context)
    return response


def _render_change_password(
    request: Request, errors: dict[str, str] | None = None, status_code: int = 200
) -> HTMLResponse:
    errors = errors or {}
    context: dict[str, Any] = {
        "field_errors": errors,
        "error_list": [{"text": text, "href": f"#{field}"} for field, text in errors.items()],
        "min_length": MIN_PASSWORD_LENGTH,
    }
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, "change_password.html", context, status_code=status_code
    )
    return response


@router.get("/account/password", response_class=HTMLResponse)
def change_password_page(request: Request, user: RequireUser) -> HTMLResponse:
    """The form: current password, then the new one twice."""
    return _render_change_password(request)


@router.post("/account/password", response_class=HTMLResponse)
def change_password_submit(
    request: Request,
    db: SessionDep,
    user: RequireUser,
    current_password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH + 1)] = "",
    new_password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH + 1)] = "",
    confirm_password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH + 1)] = "",
) -> Response:
    """Change the signed-in user's password (audited); every other session of theirs ends."""
    errors: dict[str, str] = {}
    if not current_password:
        errors["current_password"] = "Enter your current password"
    if not new_password:
        errors["new_password"] = "Enter a new password"
    elif new_password != confirm_password:
        errors["confirm_password"] = "The new passwords do not match"
    if errors:
        return _render_change_password(request, errors, 400)
    try:
        change_password(
            db, user.id, current_password, new_password, ip=client_ip(request), keep_session=session_token(request)
        )
    except SignInLocked as exc:
        return _render_change_password(request, {"current_password": str(exc)}, 429)
    except PermissionDenied:
        end_session(request)
        return RedirectResponse("/sign-in", status_code=303)
    except AccountError as exc:
        field = "current_password" if "current password" in str(exc) else "new_password"
        return _render_change_password(request, {field: str(exc)}, 400)
    # The session's fingerprint follows the new password hash, so this browser stays signed in.
    token = session_token(request)
    refreshed = session_user(db, user.id, request.app.state.secret_key)
    if refreshed is not None and token is not None:
        start_session(request, refreshed, token)
    flash(request, "Your password has been changed")
    return RedirectResponse("/account", status_code=303)
