"""JSON API of the staff register: ``/api/practices/{code}/register`` (figures), ``.../staff`` and
``.../vacancies`` (read, add, edit, end, open, fill, withdraw) and ``/api/org/{code}/register/status``.

Staff-level data: signed-in users within scope only (401 when not signed in, 403 outside the
scope, 404 for an unknown code or record). Writes need the ``X-CSRF-Token`` header (the
middleware), are validated (422 naming every field, nothing written) and audited.
``{code}`` may be a practice or a PCN (a PCN's own staff).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import JSONResponse

from gpworkforce.services.register import (
    InvalidRegisterEntry,
    RecordNotFound,
    add_staff,
    edit_staff,
    end_staff,
    fill_vacancy,
    list_staff,
    list_vacancies,
    open_vacancy,
    withdraw_vacancy,
)
from gpworkforce.services.register_state import current_month, employer_trend, org_register_status
from gpworkforce.web import register_view as rv
from gpworkforce.web.deps import ContextDep, RequireUser, SessionDep, client_ip

router = APIRouter(prefix="/api", tags=["Staff register"])
JsonBody = Annotated[dict[str, Any], Body()]


def _invalid(exc: InvalidRegisterEntry) -> JSONResponse:
    detail = [
        {"loc": ["body", k], "msg": f"{rv.LABELS.get(k, k)}: {m}", "type": "value_error"} for k, m in exc.errors.items()
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def _write(call: Callable[[], Any], convert: Callable[[Any], dict[str, Any]], created: bool = False) -> Any:
    """Run a service write: its result as JSON, 422 for invalid values, 404 for another employer's id."""
    try:
        result = call()
    except InvalidRegisterEntry as exc:
        return _invalid(exc)
    except RecordNotFound as exc:
        raise rv.not_found(exc) from None
    return JSONResponse(convert(result), status_code=201 if created else 200)


@router.get("/practices/{code}/register", summary="A practice's staff register: monthly figures",
            operation_id="getRegister")  # fmt: skip
def api_register(code: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> dict[str, Any]:
    """This month's figures (in post, FTE by role, joiners, leavers by reason, vacancy rate, 12-month
    turnover) and the 12 months before, for trend charts; null where unknown, never 0."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    month = current_month()
    trend = employer_trend(db, user, employer, version, rv.month_before(month, rv.TREND_MONTHS - 1), month)
    return {"employer": employer, "month": month, "now": rv.figures_json(trend[-1]),
            "trend": [rv.figures_json(r) for r in trend]}  # fmt: skip


@router.get("/practices/{code}/register/staff", summary="A practice's staff records", operation_id="listRegisterStaff")
def api_staff(
    code: str, user: RequireUser, db: SessionDep, ctx: ContextDep, include_leavers: bool = True
) -> dict[str, Any]:
    """Staff records (no names), in post and, unless ``include_leavers=false``, leavers."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    rows = list_staff(db, user, employer, version, include_leavers=include_leavers)
    return {"employer": employer, "staff": [rv.staff_json(r) for r in rows]}


@router.post("/practices/{code}/register/staff", summary="Add a staff record (audited)",
             operation_id="addRegisterStaff", status_code=201, response_model=None)  # fmt: skip
def api_add_staff(
    request: Request, code: str, payload: JsonBody, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Any:
    """Fields: role, contract_type, fte, birth_year or age_band, start_date, local_ref (optional)."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    return _write(lambda: add_staff(db, user, employer, payload, version, ip=client_ip(request)), rv.staff_json, True)


@router.patch("/practices/{code}/register/staff/{record_id}", summary="Change a staff record (audited)",
              operation_id="editRegisterStaff", response_model=None)  # fmt: skip
def api_edit_staff(
    request: Request, code: str, record_id: int, payload: JsonBody, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Any:
    """Only the fields given change; the whole record is re-checked."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    return _write(
        lambda: edit_staff(db, user, employer, record_id, payload, version, ip=client_ip(request)), rv.staff_json
    )


@router.post("/practices/{code}/register/staff/{record_id}/end", summary="Record a leaver (audited)",
             operation_id="endRegisterStaff", response_model=None)  # fmt: skip
def api_end_staff(
    request: Request, code: str, record_id: int, payload: JsonBody, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Any:
    """``{"end_date": "YYYY-MM-DD", "leaving_reason": "retirement|other|unknown"}``."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    end, reason = str(payload.get("end_date") or ""), str(payload.get("leaving_reason") or "")
    if not end:
        return _invalid(InvalidRegisterEntry({"end_date": "is empty; give the last day worked"}))
    return _write(
        lambda: end_staff(db, user, employer, record_id, end, reason, version, ip=client_ip(request)), rv.staff_json
    )


@router.get(
    "/practices/{code}/register/vacancies", summary="A practice's vacancies", operation_id="listRegisterVacancies"
)
def api_vacancies(
    code: str, user: RequireUser, db: SessionDep, ctx: ContextDep, open_only: bool = False
) -> dict[str, Any]:
    """Vacancies, open and closed (only open ones with ``open_only=true``)."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    rows = list_vacancies(db, user, employer, version, open_only=open_only)
    return {"employer": employer, "vacancies": [rv.vacancy_json(r) for r in rows]}


@router.post("/practices/{code}/register/vacancies", summary="Open a vacancy (audited)",
             operation_id="openRegisterVacancy", status_code=201, response_model=None)  # fmt: skip
def api_open_vacancy(
    request: Request, code: str, payload: JsonBody, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Any:
    """Fields: role, fte, opened, local_ref (optional)."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    return _write(
        lambda: open_vacancy(db, user, employer, payload, version, ip=client_ip(request)), rv.vacancy_json, True
    )


def _close(request: Request, code: str, vacancy_id: int, payload: dict[str, Any], user: Any, db: Any, ctx: Any,
           filled: bool) -> Any:  # fmt: skip
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    closed = str(payload.get("closed") or "")
    if not closed:
        return _invalid(InvalidRegisterEntry({"closed": "is empty; give the date the vacancy closed"}))
    close = fill_vacancy if filled else withdraw_vacancy
    return _write(
        lambda: close(db, user, employer, vacancy_id, closed, version, ip=client_ip(request)), rv.vacancy_json
    )


@router.post("/practices/{code}/register/vacancies/{vacancy_id}/fill", summary="Close a vacancy as filled (audited)",
             operation_id="fillRegisterVacancy", response_model=None)  # fmt: skip
def api_fill(
    request: Request, code: str, vacancy_id: int, payload: JsonBody, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Any:
    """``{"closed": "YYYY-MM-DD"}``."""
    return _close(request, code, vacancy_id, payload, user, db, ctx, True)


@router.post("/practices/{code}/register/vacancies/{vacancy_id}/withdraw",
             summary="Close a vacancy as withdrawn (audited)", operation_id="withdrawRegisterVacancy",
             response_model=None)  # fmt: skip
def api_withdraw(
    request: Request, code: str, vacancy_id: int, payload: JsonBody, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Any:
    """``{"closed": "YYYY-MM-DD"}``."""
    return _close(request, code, vacancy_id, payload, user, db, ctx, False)


@router.get("/org/{code}/register/status", summary="Register figures of every employer in an organisation",
            operation_id="getRegisterStatus")  # fmt: skip
def api_status(
    code: str, user: RequireUser, db: SessionDep, ctx: ContextDep, month: str | None = None
) -> dict[str, Any]:
    """One row per practice (and PCN employer) at ``month`` (default this month) and which have not
    updated their register that month. The user must hold the whole organisation."""
    version = ctx.version()
    org = rv.checked_org(user, code, version)
    try:
        status = org_register_status(db, user, org, version, month)
    except ValueError:
        raise HTTPException(status_code=422, detail="month must be YYYY-MM, for example 2026-03") from None
    return {"organisation": status.org_code, "month": status.month, "not_updated": status.not_updated,
            "rows": [rv.figures_json(r) for r in status.rows]}  # fmt: skip
