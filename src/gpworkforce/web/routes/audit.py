"""Audit log: ``/audit`` (page) and ``/api/audit`` (JSON), newest first.

Admins see every entry, with email addresses and IP addresses. ICB analysts see the FTE
corrections of their ICB's practices only, with people named by role and organisation
("PCN lead, U12345"), never by email, and no IP addresses; everyone else gets 403. Sign-ins and
saved-scenario entries stay admin-only: a private scenario's name must not leak to an analyst.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.services.accounts import Scope, as_utc, user_label
from gpworkforce.services.corrections import AUDIT_ACTION, AUDIT_ENTITY
from gpworkforce.services.scopes import scope_practices
from gpworkforce.services.versions import Workspace
from gpworkforce.store.accounts import AuditLog, User
from gpworkforce.web.deps import SessionDep, require_role
from gpworkforce.web.routes.corrections import ContextDep

router = APIRouter()

AuditViewer = Annotated[User, Depends(require_role("admin", "icb_analyst"))]
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


def _loads(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return {"value": text}
    return value if isinstance(value, dict) else {"value": value}


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


def _entries(db: Session, viewer: User, nd_practices: frozenset[str] | None, limit: int, before_id: int | None) -> Any:
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    if viewer.role != "admin":
        allowed = sorted(nd_practices or ())
        query = query.where(
            AuditLog.action == AUDIT_ACTION, AuditLog.entity == AUDIT_ENTITY, AuditLog.entity_key.in_(allowed)
        )
    return db.scalars(query).all()


def audit_rows(db: Session, viewer: User, entries: Sequence[AuditLog]) -> list[dict[str, Any]]:
    """JSON-ready entries; who is named as :func:`user_label` allows, IPs for admins only."""
    ids = {e.user_id for e in entries if e.user_id is not None}
    users = {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    rows = []
    for e in entries:
        before, after = _loads(e.before), _loads(e.after)
        who = user_label(viewer, users.get(e.user_id)) if e.user_id is not None else "Nobody signed in"
        row: dict[str, Any] = {
            "id": e.id,
            "at": as_utc(e.at).isoformat(),
            "user": who,
            "action": e.action,
            "action_label": ACTION_LABELS.get(e.action, e.action),
            "entity": e.entity,
            "entity_label": ENTITY_LABELS.get(e.entity, e.entity),
            "key": e.entity_key,
            "before": before,
            "after": after,
            "change": describe_change(e.entity, before, after),
        }
        if viewer.role == "admin":
            row["ip"] = e.ip
        rows.append(row)
    return rows


def _load(
    db: Session, viewer: User, ctx: Workspace, limit: int, before: int | None
) -> tuple[list[dict[str, Any]], int | None]:
    practices = None if viewer.role == "admin" else scope_practices(Scope.for_user(viewer), ctx.version())
    entries = _entries(db, viewer, practices, limit, before)
    rows = audit_rows(db, viewer, entries)
    older = rows[-1]["id"] if len(rows) == limit else None
    return rows, older


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request, user: AuditViewer, db: SessionDep, ctx: ContextDep, limit: Limit = DEFAULT_LIMIT,
    before: int | None = None,
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


@router.get("/api/audit")
def audit_api(
    user: AuditViewer, db: SessionDep, ctx: ContextDep, limit: Limit = DEFAULT_LIMIT, before: int | None = None
) -> dict[str, Any]:
    """The same entries as JSON; ``older`` is the ``before`` value for the next page (or null)."""
    rows, older = _load(db, user, ctx, limit, before)
    return {"entries": rows, "older": older}
