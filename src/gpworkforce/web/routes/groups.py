"""Practice groups: ``/groups`` lists them (open aggregates, anyone) and, for an administrator or
an ICB analyst, saves and deletes them. Refusals: not signed in -> sign-in redirect; a role that
may not edit groups, or practices outside the user's ICB -> 403; bad fields -> 400 with the form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.practice_groups import (
    GROUP_ROLES,
    GroupError,
    delete_group,
    list_groups,
    parse_codes,
    save_group,
)
from gpworkforce.web.deps import ContextDep, CurrentUser, FormFields, RequireUser, SessionDep, client_ip
from gpworkforce.web.templating import flash

router = APIRouter(include_in_schema=False)

_FIELDS = ("code", "name", "practices")


def _render(
    request: Request,
    db: SessionDep,
    user: Any,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    errors = errors or {}
    context = {
        "groups": list_groups(db),
        "may_edit": user is not None and user.role in GROUP_ROLES,
        "values": {f: (submitted or {}).get(f, "") for f in _FIELDS},
        "field_errors": errors,
        "error_list": [{"text": text, "href": f"#group-{key}"} for key, text in errors.items()],
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "groups/index.html", context, status_code=status_code
    )
    return response


@router.get("/groups", response_class=HTMLResponse)
def groups_page(request: Request, db: SessionDep, user: CurrentUser) -> HTMLResponse:
    """Every saved group with links to its pages; the form for those who may edit."""
    return _render(request, db, user)


@router.post("/groups", response_class=HTMLResponse)
def groups_save(request: Request, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Create a group, or replace one's name and practices (audited with the request's address)."""
    submitted = {f: str(form.get(f, ""))[:20000] for f in _FIELDS}
    try:
        group = save_group(
            db,
            ctx.version(),
            user,
            submitted["code"],
            submitted["name"],
            parse_codes(submitted["practices"]),
            ip=client_ip(request),
        )
    except PermissionDenied as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except GroupError as exc:
        return _render(request, db, user, errors=exc.errors, submitted=submitted, status_code=400)
    flash(request, f"Group {group.code} saved with {len(group.practices)} practices")
    return RedirectResponse(f"/org/{group.code}", status_code=303)


@router.post("/groups/{code}/delete", response_class=HTMLResponse)
def groups_delete(request: Request, code: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Delete a group (audited with what it held)."""
    try:
        delete_group(db, ctx.version(), user, code[:40], ip=client_ip(request))
    except PermissionDenied as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except GroupError as exc:
        raise HTTPException(status_code=404, detail=next(iter(exc.errors.values()))) from None
    flash(request, f"Group {code.strip().upper()} deleted")
    return RedirectResponse("/groups", status_code=303)
