"""FTE corrections: ``/org/{practice}/fte`` (page and form) and ``/api/practices/{code}/fte``.

Also home to :func:`get_context`, the app's one :class:`~gpworkforce.services.versions.Workspace`
(``app.state.ctx``, created on first use if the app factory has not made it), and the template
helpers ``can_correct_fte`` / ``can_save_scenario`` that partials use to show or hide links.

Status codes: not signed in -> sign-in redirect (pages) or 401 (API); practice outside the
user's scope -> 403 (page, form and API alike); an admin asking for a code with no registered
patients -> 404; invalid values -> 400 page with an error summary, or 422 JSON naming the role.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context as JinjaContext
from sqlalchemy.orm import Session

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.reference import load_reference
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.corrections import (
    CORRECTABLE_ROLES,
    MAX_FTE,
    InvalidCorrection,
    RoleFte,
    UnknownPractice,
    apply_corrections,
    can_correct,
    check_can_correct,
    corrections_of,
    form_field,
    parse_form,
    parse_json,
    practice_fte,
)
from gpworkforce.services.national import WORKFORCE_NOTE, DataMissingError, NationalData
from gpworkforce.services.scopes import is_open_org, scope_allows_org, scope_for
from gpworkforce.services.versions import DataVersion, Workspace
from gpworkforce.store.accounts import User
from gpworkforce.web.deps import RequireUser, SessionDep, client_ip
from gpworkforce.web.templating import flash

router = APIRouter()

_ctx_lock = threading.Lock()


def get_context(request: Request) -> Workspace:
    """The app's analysis context: ``app.state.ctx`` if set, else one made now and kept there."""
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


# --- Template helpers -----------------------------------------------------------------------


@pass_context
def _can_correct_fte(context: JinjaContext, practice_code: str | None) -> bool:
    """True when the signed-in user may correct this practice's FTE (partials show the link)."""
    request, user = context.get("request"), context.get("current_user")
    if request is None or user is None or not practice_code:
        return False
    try:
        version = get_context(request).version()
    except DataMissingError:
        return False
    return can_correct(scope_for(user.role, user.org_code), str(practice_code), version)


@pass_context
def _can_save_scenario(context: JinjaContext, org_code: str | None) -> bool:
    """True when the signed-in user may save a scenario for this organisation."""
    request, user = context.get("request"), context.get("current_user")
    if request is None or user is None or not org_code:
        return False
    try:
        version = get_context(request).version()
    except DataMissingError:
        return False
    return is_open_org(version, str(org_code)) or scope_allows_org(
        scope_for(user.role, user.org_code), str(org_code), version
    )


def register_template_helpers(templates: Jinja2Templates) -> None:
    """Make ``can_correct_fte(code)`` and ``can_save_scenario(code)`` available to every template."""
    templates.env.globals["can_correct_fte"] = _can_correct_fte
    templates.env.globals["can_save_scenario"] = _can_save_scenario


# --- Helpers --------------------------------------------------------------------------------


def _checked_practice(user: User, practice: str, version: DataVersion) -> str:
    try:
        return check_can_correct(user, practice, version)
    except PermissionDenied as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except UnknownPractice:
        detail = f"No practice with registered patients has code {practice}"
        raise HTTPException(status_code=404, detail=detail) from None


def _practice_info(nd: NationalData, code: str) -> dict[str, Any]:
    row = nd.practices.loc[nd.practices["practice_code"] == code].iloc[0]
    return {
        "level": "practice",
        "code": code,
        "name": str(row["practice_name"]),
        "pcn_code": str(row["pcn_code"]),
        "icb_code": str(row["icb_code"]),
    }


def _notes(nd: NationalData) -> list[str]:
    notes = ["A correction replaces the practice's whole FTE for that role, including its share of PCN staff."]
    if nd.periods.get("workforce"):
        notes.append(f"{WORKFORCE_NOTE} ({nd.periods['workforce']}).")
    return notes


async def _form_fields(request: Request) -> dict[str, str]:
    """The submitted form as text (last value wins); a file upload is not a number."""
    form = await request.form()
    return {k: v if isinstance(v, str) else "" for k, v in form.items()}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


def _render(
    request: Request,
    db: Session,
    nd: NationalData,
    code: str,
    user: User,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    errors = errors or {}
    rows = practice_fte(db, nd, code, user)
    first_input = f"#fte-{CORRECTABLE_ROLES[0]}"
    error_list = []
    field_errors: dict[str, str] = {}
    for key, text in errors.items():
        role = key.removeprefix("fte.")
        if role in CORRECTABLE_ROLES:
            field_errors[role] = text
            error_list.append({"text": text, "href": f"#fte-{role}"})
        else:
            error_list.append({"text": text, "href": first_input})
    values = {
        r.role: (submitted.get(form_field(r.role), "") if submitted is not None else _fmt(r.correction)) for r in rows
    }
    context = {
        "org": _practice_info(nd, code),
        "rows": rows,
        "values": values,
        "field_errors": field_errors,
        "error_list": error_list,
        "max_fte": MAX_FTE,
        "notes": _notes(nd),
    }
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, "corrections/fte.html", context, status_code=status_code
    )
    return response


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _summary(before: dict[str, float | None], after: dict[str, float | None]) -> str:
    parts = []
    for role, new in after.items():
        old = before.get(role)
        label = ROLE_BY_CODE[role].label
        if new is None:
            parts.append(f"{label}: correction removed")
        elif old is None:
            parts.append(f"{label}: {new:g} FTE")
        else:
            parts.append(f"{label}: {old:g} to {new:g} FTE")
    return "; ".join(parts)


def _role_json(r: RoleFte) -> dict[str, Any]:
    return {
        "role": r.role,
        "label": r.label,
        "fte": r.fte,
        "fte_practice": r.fte_practice,
        "fte_pcn_share": r.fte_pcn,
        "source": r.source,
        "source_text": r.source_text,
        "correction": r.correction,
        "corrected_by": r.corrected_by,
        "corrected_at": r.corrected_at.isoformat() if r.corrected_at else None,
    }


# --- Page -----------------------------------------------------------------------------------


@router.get("/org/{practice}/fte", response_class=HTMLResponse, include_in_schema=False)
def fte_page(request: Request, practice: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> HTMLResponse:
    """Current FTE by clinical role with its source, and the correction form."""
    version = ctx.version()
    code = _checked_practice(user, practice, version)
    return _render(request, db, version.data, code, user)


@router.post("/org/{practice}/fte", response_class=HTMLResponse, include_in_schema=False)
def fte_submit(
    request: Request, practice: str, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Response:
    """Validate every field, then write the changed corrections and their audit entry together."""
    version = ctx.version()
    code = _checked_practice(user, practice, version)
    try:
        changes = parse_form(form)
    except InvalidCorrection as exc:
        return _render(request, db, version.data, code, user, errors=exc.errors, submitted=form, status_code=400)
    before, after = apply_corrections(db, user, code, changes, ip=client_ip(request))
    flash(request, f"FTE corrections saved. {_summary(before, after)}" if after else "There were no changes to save")
    return RedirectResponse(f"/org/{code}/fte", status_code=303)


# --- API ------------------------------------------------------------------------------------


@router.get("/api/practices/{practice}/fte")
def fte_api(practice: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """FTE by clinical role with sources and corrections (the page's data)."""
    version = ctx.version()
    nd = version.data
    code = _checked_practice(user, practice, version)
    rows = practice_fte(db, nd, code, user)
    return {"practice": _practice_info(nd, code), "roles": [_role_json(r) for r in rows], "notes": _notes(nd)}


@router.put("/api/practices/{practice}/fte", response_model=None)
def fte_api_put(
    request: Request,
    practice: str,
    payload: Annotated[Any, Body()],
    user: RequireUser,
    db: SessionDep,
    ctx: ContextDep,
) -> dict[str, Any] | JSONResponse:
    """Set corrections from ``{"role": fte, ...}`` (null removes one); 422 names each bad role.

    The answer comes from the corrections table, not the national arrays, so it is immediate;
    capacity reflects the change on the next read (the arrays are rebuilt for the new fingerprint).
    """
    code = _checked_practice(user, practice, ctx.version())
    try:
        changes = parse_json(payload)
    except InvalidCorrection as exc:
        detail = [
            {"loc": ["body"] if key == "body" else ["body", key], "msg": msg, "type": "value_error"}
            for key, msg in exc.errors.items()
        ]
        return JSONResponse({"detail": detail}, status_code=422)
    before, after = apply_corrections(db, user, code, changes, ip=client_ip(request))
    return {
        "practice": code,
        "changed": {role: {"before": before[role], "after": after[role]} for role in after},
        "corrections": {role: row.fte for role, row in sorted(corrections_of(db, code).items())},
    }
