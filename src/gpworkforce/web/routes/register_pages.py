"""Staff register pages: ``/org/{code}/register`` (a practice's register and monthly dashboard, or
an organisation's table of its practices) and the forms that add, edit and end staff records and
open, fill and withdraw vacancies.

Signed-in users within scope only (as FTE corrections): anonymous -> sign-in redirect; out of
scope -> 403; invalid values -> 400 with an NHS.UK error summary naming each field, nothing
written. Forms are CSRF-protected by the middleware; every change is audited by the services.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

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
from gpworkforce.services.scopes import org_level
from gpworkforce.services.versions import DataVersion
from gpworkforce.web import register_view as rv
from gpworkforce.web.deps import ContextDep, FormFields, RequireUser, SessionDep, SignedInUser, client_ip
from gpworkforce.web.register_figures import rates_trend, staff_trend
from gpworkforce.web.templating import flash

router = APIRouter(include_in_schema=False)

STAFF_FORM_FIELDS = ("role", "contract_type", "fte", "birth_year", "age_band", "start_date", "local_ref")
VACANCY_FORM_FIELDS = ("role", "fte", "opened", "local_ref")


def employer_name(version: DataVersion, code: str) -> str:
    """The practice's name, or "PCN {code}" / the PCN's name for a PCN employer."""
    p = version.data.practices
    hit = p.loc[p["practice_code"] == code, "practice_name"]
    if len(hit):
        return str(hit.iloc[0]).title()
    pcn = p.loc[p["pcn_code"] == code]
    if len(pcn) and "pcn_name" in pcn.columns:
        return str(pcn["pcn_name"].iloc[0]).title()
    return f"PCN {code}"


def _template(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, name, context, status_code=status_code
    )
    return response


def render_employer(
    request: Request, db: Session, user: SignedInUser, version: DataVersion, code: str, *,
    errors: dict[str, str] | None = None, form: str = "", submitted: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    """The employer's register page; ``errors`` belong to the form ``form`` (add, vacancy, import)."""
    staff = list_staff(db, user, code, version)
    vacancies = list_vacancies(db, user, code, version)
    month = current_month()
    trend = employer_trend(db, user, code, version, rv.month_before(month, rv.TREND_MONTHS - 1), month)
    now = trend[-1]
    errors = errors or {}
    context = {
        "code": code,
        "name": employer_name(version, code),
        "is_practice": org_level(version, code) == "practice",
        "month": month,
        "now": now,
        "trend": trend,
        "charts": {"staff": staff_trend(trend, code), "rates": rates_trend(trend, code)} if now.has_register else {},
        "in_post": [s for s in staff if s.end_date is None],
        "leavers": [s for s in staff if s.end_date is not None],
        "open_vacancies": [v for v in vacancies if v.closed is None],
        "closed_vacancies": [v for v in vacancies if v.closed is not None],
        "form": form,
        "field_errors": errors,
        "error_list": rv.error_list(errors, form) if errors else [],
        "submitted": submitted or {},
        "rv": rv,
    }
    return _template(request, "register/employer.html", context, status_code)


def _saved(request: Request, code: str, message: str, anchor: str = "") -> RedirectResponse:
    flash(request, message)
    return RedirectResponse(f"/org/{code}/register/employer{anchor}", status_code=303)


# --- Pages ----------------------------------------------------------------------------------


@router.get("/org/{code}/register", response_class=HTMLResponse)
def register_page(
    request: Request, code: str, user: RequireUser, db: SessionDep, ctx: ContextDep, month: str | None = None
) -> HTMLResponse:
    """A practice's register and dashboard; for a PCN, ICB, sub-ICB or group, the table of its employers."""
    version = ctx.version()
    if org_level(version, code) == "practice":
        return render_employer(request, db, user, version, rv.checked_employer(user, code, version))
    org = rv.checked_org(user, code, version)
    chosen = month or current_month()
    try:
        status = org_register_status(db, user, org, version, chosen)
    except ValueError:
        raise HTTPException(status_code=400, detail="month must be YYYY-MM, for example 2026-03") from None
    context = {
        "code": org,
        "level": org_level(version, org),
        "status": status,
        "names": {r.employer: employer_name(version, r.employer) for r in status.rows},
        "rv": rv,
    }
    return _template(request, "register/org.html", context)


@router.get("/org/{code}/register/employer", response_class=HTMLResponse)
def employer_page(request: Request, code: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> HTMLResponse:
    """The register of one employer: a practice, or a PCN's own staff."""
    version = ctx.version()
    return render_employer(request, db, user, version, rv.checked_employer(user, code, version))


def _record(db: Session, user: SignedInUser, version: DataVersion, code: str, record_id: int) -> Any:
    for row in list_staff(db, user, code, version):
        if row.id == record_id:
            return row
    raise HTTPException(status_code=404, detail=f"{code} has no staff record {record_id}")


def render_record(
    request: Request, db: Session, user: SignedInUser, version: DataVersion, code: str, record_id: int, *,
    errors: dict[str, str] | None = None, form: str = "edit", submitted: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:  # fmt: skip
    """One staff record's page: the edit form and the record-a-leaver form."""
    row = _record(db, user, version, code, record_id)
    errors = errors or {}
    context = {
        "code": code, "name": employer_name(version, code), "row": row, "form": form, "field_errors": errors,
        "error_list": rv.error_list(errors, form) if errors else [], "submitted": submitted, "rv": rv,
    }  # fmt: skip
    return _template(request, "register/staff.html", context, status_code)


@router.get("/org/{code}/register/staff/{record_id}", response_class=HTMLResponse)
def staff_page(
    request: Request, code: str, record_id: int, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> HTMLResponse:
    """Edit a staff record or record them as a leaver."""
    version = ctx.version()
    return render_record(request, db, user, version, rv.checked_employer(user, code, version), record_id)


# --- Forms ----------------------------------------------------------------------------------


def _fields(form: dict[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {k: form.get(k, "").strip() for k in names}


@router.post("/org/{code}/register/staff", response_class=HTMLResponse)
def add_staff_form(
    request: Request, code: str, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Response:
    """Add a staff member (validated; audited)."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    values = _fields(form, STAFF_FORM_FIELDS)
    try:
        row = add_staff(db, user, employer, values, version, ip=client_ip(request))
    except InvalidRegisterEntry as exc:
        db.rollback()
        return render_employer(request, db, user, version, employer, errors=exc.errors, form="add",
                               submitted=values, status_code=400)  # fmt: skip
    return _saved(request, employer, f"Added: {row.role_label}, {row.fte:g} FTE, from {row.start_date:%d %B %Y}")


@router.post("/org/{code}/register/staff/{record_id}", response_class=HTMLResponse)
def edit_staff_form(
    request: Request, code: str, record_id: int, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Response:
    """Change a staff record's fields (the whole record is re-checked)."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    values = _fields(form, STAFF_FORM_FIELDS)
    try:
        row = edit_staff(db, user, employer, record_id, values, version, ip=client_ip(request))
    except RecordNotFound as exc:
        raise rv.not_found(exc) from None
    except InvalidRegisterEntry as exc:
        db.rollback()
        return render_record(request, db, user, version, employer, record_id, errors=exc.errors, form="edit",
                             submitted=values, status_code=400)  # fmt: skip
    return _saved(request, employer, f"Saved the {row.role_label.lower()} record")


@router.post("/org/{code}/register/staff/{record_id}/end", response_class=HTMLResponse)
def end_staff_form(
    request: Request, code: str, record_id: int, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Response:
    """Record a leaver: last day worked and why."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    values = _fields(form, ("end_date", "leaving_reason"))
    try:
        if not values["end_date"]:
            raise InvalidRegisterEntry({"end_date": "is empty; give the last day worked"})
        row = end_staff(db, user, employer, record_id, values["end_date"], values["leaving_reason"], version,
                        ip=client_ip(request))  # fmt: skip
    except RecordNotFound as exc:
        raise rv.not_found(exc) from None
    except InvalidRegisterEntry as exc:
        db.rollback()
        return render_record(request, db, user, version, employer, record_id, errors=exc.errors, form="end",
                             submitted=values, status_code=400)  # fmt: skip
    return _saved(request, employer, f"Recorded a leaver: {row.role_label}, left {row.end_date:%d %B %Y}")


@router.post("/org/{code}/register/vacancies", response_class=HTMLResponse)
def open_vacancy_form(
    request: Request, code: str, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Response:
    """Open a vacancy (role, FTE, date opened)."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    values = _fields(form, VACANCY_FORM_FIELDS)
    try:
        row = open_vacancy(db, user, employer, values, version, ip=client_ip(request))
    except InvalidRegisterEntry as exc:
        db.rollback()
        return render_employer(request, db, user, version, employer, errors=exc.errors, form="vacancy",
                               submitted=values, status_code=400)  # fmt: skip
    return _saved(request, employer, f"Opened a vacancy: {row.role_label}, {row.fte:g} FTE", "#vacancies")


def _close(request: Request, code: str, vacancy_id: int, form: dict[str, str], user: SignedInUser, db: Session,
           ctx: ContextDep, outcome: str) -> Response:  # fmt: skip
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    closed = form.get("closed", "").strip()
    close = fill_vacancy if outcome == "filled" else withdraw_vacancy
    try:
        if not closed:
            raise InvalidRegisterEntry({"closed": "is empty; give the date the vacancy closed"})
        row = close(db, user, employer, vacancy_id, closed, version, ip=client_ip(request))
    except RecordNotFound as exc:
        raise rv.not_found(exc) from None
    except InvalidRegisterEntry as exc:
        db.rollback()
        return render_employer(request, db, user, version, employer, errors=exc.errors, form=f"close-{vacancy_id}",
                               submitted={"closed": closed}, status_code=400)  # fmt: skip
    return _saved(request, employer, f"Vacancy {outcome}: {row.role_label}, {row.closed:%d %B %Y}", "#vacancies")


@router.post("/org/{code}/register/vacancies/{vacancy_id}/fill", response_class=HTMLResponse)
def fill_vacancy_form(
    request: Request, code: str, vacancy_id: int, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Response:
    """Close a vacancy as filled."""
    return _close(request, code, vacancy_id, form, user, db, ctx, "filled")


@router.post("/org/{code}/register/vacancies/{vacancy_id}/withdraw", response_class=HTMLResponse)
def withdraw_vacancy_form(
    request: Request, code: str, vacancy_id: int, form: FormFields, user: RequireUser, db: SessionDep, ctx: ContextDep
) -> Response:
    """Close a vacancy as withdrawn."""
    return _close(request, code, vacancy_id, form, user, db, ctx, "withdrawn")
