"""Audit log: ``/audit`` (page) and ``/api/audit`` (JSON), newest first.

Admins see every entry, with email addresses and IP addresses. ICB analysts see the FTE
corrections of their ICB's practices only, with people named by role and organisation
("PCN lead, U12345"), never by email, and no IP addresses; everyone else gets 403. Sign-ins and
saved-scenario entries stay admin-only: a private scenario's name must not leak to an analyst.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.services.audit import AuditEntry, audit_entries
from gpworkforce.services.corrections import AUDIT_ACTION, AUDIT_ENTITY
from gpworkforce.services.scopes import scope_practices
from gpworkforce.web.deps import AuditViewer, ContextDep, SessionDep, SignedInUser

router = APIRouter()

DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 500

ACTION_LABELS: Final[dict[str, str]] = {
    AUDIT_ACTION: "FTE corrected",
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "sign_in_failed": "Sign-in failed",
    "sign_in_locked": "Sign-in locked",
    "password_changed": "Password changed",
}
ENTITY_LABELS: Final[dict[str, str]] = {
    AUDIT_ENTITY: "Practice",
    "saved_scenario": "Saved scenario",
    "user_account": "Account",
}


def _value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value(v)}" for k, v in value.items()) or "none"
    return str(value)


def _key_label(entity: str, key: str) -> str:
    if entity == AUDIT_ENTITY and key in ROLE_BY_CODE:
        return ROLE_BY_CODE[key].label
    return key.replace("_", " ")


def describe_change(entity: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """ "GP (qualified, permanent): none → 4.5; ..." for the keys that changed."""
    b, a = before or {}, after or {}
    parts = []
    for key in list(dict.fromkeys([*b, *a])):
        if b.get(key) != a.get(key) or before is None or after is None:
            parts.append(f"{_key_label(entity, key)}: {_value(b.get(key))} → {_value(a.get(key))}")
    return "; ".join(parts)


def audit_row(entry: AuditEntry, viewer: SignedInUser) -> dict[str, Any]:
    """JSON-ready entry with display labels; IPs for admins only."""
    row: dict[str, Any] = {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "user": entry.who,
        "action": entry.action,
        "action_label": ACTION_LABELS.get(entry.action, entry.action),
        "entity": entry.entity,
        "entity_label": ENTITY_LABELS.get(entry.entity, entry.entity),
        "key": entry.key,
        "before": entry.before,
        "after": entry.after,
        "change": describe_change(entry.entity, entry.before, entry.after),
    }
    if viewer.role == "admin":
        row["ip"] = entry.ip
    return row


def _load(
    db: SessionDep, viewer: SignedInUser, ctx: ContextDep, limit: int, before: int | None
) -> tuple[list[dict[str, Any]], int | None]:
    practices: frozenset[str] = frozenset()
    if viewer.role != "admin":
        practices = scope_practices(viewer.scope, ctx.version())
    only = None if viewer.role == "admin" else (AUDIT_ACTION, AUDIT_ENTITY)
    entries = audit_entries(db, viewer, limit=limit, before_id=before, only=only, keys=practices)
    rows = [audit_row(e, viewer) for e in entries]
    older = rows[-1]["id"] if len(rows) == limit else None
    return rows, older


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
#: An audit row id; bounded so a 30-digit number is a 422, not an integer the database cannot hold.
Before = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request, user: AuditViewer, db: SessionDep, ctx: ContextDep, limit: Limit = DEFAULT_LIMIT,
    before: Before = None,
) -> HTMLResponse:  # fmt: skip
    """Recent changes as an NHS table, newest first, with a link to older entries."""
    rows, older = _load(db, user, ctx, limit, before)
    context = {
        "rows": rows,
        "older_url": f"/audit?limit={limit}&before={older}" if older is not None else None,
        "is_admin": user.role == "admin",
        "scope_text": "all activity" if user.role == "admin" else f"FTE corrections in ICB {user.org_code}",
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "audit/list.html", context)
    return response


@router.get("/api/audit", tags=["Audit"], summary="Audit log, newest first", operation_id="listAuditLog")
def audit_api(
    user: AuditViewer, db: SessionDep, ctx: ContextDep, limit: Limit = DEFAULT_LIMIT, before: Before = None
) -> dict[str, Any]:
    """The same entries as JSON; ``older`` is the ``before`` value for the next page (or null)."""
    rows, older = _load(db, user, ctx, limit, before)
    return {"entries": rows, "older": older}
