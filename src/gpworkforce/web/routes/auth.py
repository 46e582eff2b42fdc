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

from gpworkforce.services.accounts import MAX_PASSWORD_LENGTH, SignInLocked, sign_in, sign_out
from gpworkforce.services.audit import recent_activity
from gpworkforce.web.deps import (
    CurrentUser,
    RequireUser,
    SessionDep,
    SignedInUser,
    client_ip,
    end_session,
    start_session,
)
from gpworkforce.web.errors import safe_next
from gpworkforce.web.templating import flash

router = APIRouter(include_in_schema=False)  # HTML pages; the JSON API is under /api

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
    try:
        user = sign_in(db, email, password, client_ip(request), request.app.state.secret_key)
    except SignInLocked as exc:
        return _render_sign_in(request, email=email, next_path=target, errors={"form": str(exc)}, status_code=429)
    if user is None:
        message = "Enter a correct email address and password"
        return _render_sign_in(request, email=email, next_path=target, errors={"form": message}, status_code=400)
    start_session(request, user)
    return RedirectResponse(landing_page(user, target), status_code=303)


@router.post("/sign-out")
def sign_out_submit(request: Request, db: SessionDep, user: CurrentUser) -> RedirectResponse:
    """End the session (CSRF-checked like every POST, so other sites cannot sign people out)."""
    if user is not None:
        sign_out(db, user, client_ip(request))
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
