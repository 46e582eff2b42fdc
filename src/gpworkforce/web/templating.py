"""Jinja2 templates with the values every page needs (CSRF token, signed-in user, flash message).

Routes render with ``templates.TemplateResponse(request, "page.html", {...})``; the context
processor below adds the shared values, so a page cannot forget the CSRF token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from gpworkforce.services.audit import ROLE_LABELS
from gpworkforce.web.assets import static_url
from gpworkforce.web.plotly_offline import embeddable_json, plotly_style_guard_ids
from gpworkforce.web.security import CSRF_FORM_FIELD, CSRF_HEADER_NAME, csrf_token

WEB_DIR: Final = Path(__file__).resolve().parent
TEMPLATES_DIR: Final = WEB_DIR / "templates"
STATIC_DIR: Final = WEB_DIR / "static"
SERVICE_NAME: Final = "GP workforce planner"
FLASH_SESSION_KEY: Final = "flash"

#: Header navigation for everyone: (label, path).
NAV_ITEMS: list[tuple[str, str]] = [
    ("Search", "/search"),
    ("England", "/org/england"),
    ("Practice groups", "/groups"),
    ("API", "/docs"),
]
#: The footer's links; routes/about.py serves each as templates/about/<path>.html.
FOOTER_LINKS: Final = (
    ("Accessibility statement", "/accessibility"),
    ("Privacy notice", "/privacy"),
    ("Cookies", "/cookies"),
    ("Contact and feedback", "/contact"),
)
#: Added for signed-in users; the audit log only for the roles that may read it.
SIGNED_IN_NAV: list[tuple[str, str]] = [("Saved scenarios", "/scenarios")]
AUDIT_NAV_ROLES: Final = frozenset({"admin", "icb_analyst"})


def nav_for(user: Any) -> list[tuple[str, str]]:
    """The header links this user sees."""
    items = list(NAV_ITEMS)
    if user is not None:
        items += SIGNED_IN_NAV
        if getattr(user, "role", None) in AUDIT_NAV_ROLES:
            items.append(("Audit log", "/audit"))
    return items


def flash(request: Request, message: str) -> None:
    """Show ``message`` once, in a success banner on the next page rendered for this session."""
    request.session[FLASH_SESSION_KEY] = message


def _sign_in_href(request: Request) -> str:
    """``/sign-in?next=<this page>``; plain ``/sign-in`` from home and the sign-in pages."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.url.path in ("/", "/sign-in", "/sign-out") or request.method != "GET":
        return "/sign-in"
    return f"/sign-in?next={quote(here, safe='/')}"


def _shared_context(request: Request) -> dict[str, Any]:
    message = request.session.pop(FLASH_SESSION_KEY, None) if "session" in request.scope else None
    return {
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
        # A plain snapshot (deps.SignedInUser): error pages render after the DB session closed.
        "current_user": getattr(request.state, "signed_in", None),
        # deps.Permissions, decided before rendering (None when no dependency computed them).
        "permissions": getattr(request.state, "permissions", None),
        "flash_message": message if isinstance(message, str) else None,
        "current_path": request.url.path,
        # The header's "Sign in" comes back here afterwards (checked by the sign-in page, same site only).
        "sign_in_href": _sign_in_href(request),
        "nav_items": nav_for(getattr(request.state, "signed_in", None)),
    }


def make_templates() -> Jinja2Templates:
    """The template set; one per app so tests can build several apps side by side."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[_shared_context])
    templates.env.globals.update(
        service_name=SERVICE_NAME,
        role_labels=ROLE_LABELS,
        nav_items=NAV_ITEMS,
        footer_links=FOOTER_LINKS,
        csrf_form_field=CSRF_FORM_FIELD,
        csrf_header=CSRF_HEADER_NAME,
        plotly_style_guard_ids=plotly_style_guard_ids(),
        static_url=static_url,
    )
    templates.env.filters["plotly_json"] = embeddable_json
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    return templates
