"""FTE corrections: ``/org/{practice}/fte`` (page and form) and ``/api/practices/{code}/fte``.

Status codes: not signed in -> sign-in redirect (pages) or 401 (API); practice outside the
user's scope -> 403 (page, form and API alike); an admin asking for a code with no registered
patients -> 404; invalid values -> 400 page with an error summary, or 422 JSON naming the role.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, create_model
from sqlalchemy.orm import Session

from gpworkforce.nomenclature import ROLE_BY_CODE
from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.corrections import (
    CORRECTABLE_ROLES,
    MAX_FTE,
    InvalidCorrection,
    NotAPractice,
    RoleFte,
    UnknownPractice,
    apply_corrections,
    check_can_correct,
    corrections_of,
    form_field,
    parse_form,
    parse_json,
    practice_fte,
)
from gpworkforce.services.national import WORKFORCE_NOTE, NationalData
from gpworkforce.services.versions import DataVersion
from gpworkforce.web.deps import ContextDep, FormFields, RequireUser, SessionDep, SignedInUser, client_ip
from gpworkforce.web.templating import flash

router = APIRouter()


#: ``{"role": fte, ...}`` (null removes a correction): one optional number per correctable role,
#: anything else refused (422 naming the field); value ranges are the service's (``parse_json``).
FteBody: type[BaseModel] = create_model(
    "FteBody",
    __config__=ConfigDict(extra="forbid", strict=True),
    **{role: (float | None, None) for role in CORRECTABLE_ROLES},  # type: ignore[call-overload]
)


# --- Helpers --------------------------------------------------------------------------------


def _checked_practice(user: SignedInUser, practice: str, version: DataVersion) -> str:
    try:
        return check_can_correct(user, practice, version)
    except PermissionDenied as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except NotAPractice as exc:  # an ICB, PCN...: say what it is
        raise HTTPException(status_code=404, detail=str(exc)) from None
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


def _render(
    request: Request,
    db: Session,
    nd: NationalData,
    code: str,
    user: SignedInUser,
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
    try:
        before, after = apply_corrections(db, user, code, changes, version, ip=client_ip(request))
    except InvalidCorrection as exc:
        errors = {form_field(role) if role in CORRECTABLE_ROLES else role: m for role, m in exc.errors.items()}
        return _render(request, db, version.data, code, user, errors=errors, submitted=form, status_code=400)
    flash(request, f"FTE corrections saved. {_summary(before, after)}" if after else "There were no changes to save")
    return RedirectResponse(f"/org/{code}/fte", status_code=303)


# --- API ------------------------------------------------------------------------------------


@router.get(
    "/api/practices/{practice}/fte",
    tags=["FTE corrections"],
    summary="A practice's FTE by role, with sources and corrections",
    operation_id="getPracticeFte",
)
def fte_api(practice: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """FTE by clinical role with sources and corrections (the page's data)."""
    version = ctx.version()
    nd = version.data
    code = _checked_practice(user, practice, version)
    rows = practice_fte(db, nd, code, user)
    return {"practice": _practice_info(nd, code), "roles": [_role_json(r) for r in rows], "notes": _notes(nd)}


@router.put(
    "/api/practices/{practice}/fte",
    response_model=None,
    tags=["FTE corrections"],
    summary="Correct a practice's FTE for one role (audited)",
    operation_id="correctPracticeFte",
)
def fte_api_put(
    request: Request,
    practice: str,
    payload: Annotated[FteBody, Body()],
    user: RequireUser,
    db: SessionDep,
    ctx: ContextDep,
) -> dict[str, Any] | JSONResponse:
    """Set corrections from ``{"role": fte, ...}`` (null removes one); 422 names each bad role.

    The answer comes from the corrections table, not the national arrays, so it is immediate;
    capacity reflects the change on the next read (the arrays are rebuilt for the new fingerprint).
    """
    version = ctx.version()
    code = _checked_practice(user, practice, version)
    try:
        changes = parse_json(payload.model_dump(exclude_unset=True))
        before, after = apply_corrections(db, user, code, changes, version, ip=client_ip(request))
    except InvalidCorrection as exc:
        detail = [
            {"loc": ["body"] if key == "body" else ["body", key], "msg": msg, "type": "value_error"}
            for key, msg in exc.errors.items()
        ]
        return JSONResponse({"detail": detail}, status_code=422)
    return {
        "practice": code,
        "changed": {role: {"before": before[role], "after": after[role]} for role in after},
        "corrections": {role: row.fte for role, row in sorted(corrections_of(db, code).items())},
    }
