"""The retirement RAG thresholds an administrator sets: ``/admin/retirement-thresholds``.

Administrators only (not signed in: the sign-in page; any other role: 403). The form takes
percentages; bad values are a 400 with the form and a message naming each field, and nothing
is written. A change is audited (before and after) and applies to every RAG at once: the
retirement reports are memoised per thresholds, so nothing stale is served.
"""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gpworkforce.services.accounts import PermissionDenied
from gpworkforce.services.rag_thresholds import (
    LABELS,
    ThresholdError,
    defaults,
    parse_thresholds,
    reset_thresholds,
    save_thresholds,
    stored_values,
    thresholds_in,
)
from gpworkforce.web.deps import ContextDep, FormFields, RequireAdmin, SessionDep, client_ip
from gpworkforce.web.templating import flash

router = APIRouter(include_in_schema=False)
PATH = "/admin/retirement-thresholds"


def _pct(share: float) -> str:
    return f"{share * 100:g}"


def _render(
    request: Request,
    db: SessionDep,
    ctx: ContextDep,
    *,
    errors: dict[str, str] | None = None,
    submitted: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    general = ctx.reference.general
    current = asdict(thresholds_in(db, general))
    errors = errors or {}
    context = {
        "labels": LABELS,
        "values": submitted or {k: _pct(v) for k, v in current.items()},
        "defaults": {k: _pct(v) for k, v in asdict(defaults(general)).items()},
        "stored": stored_values(db),
        "field_errors": errors,
        "error_list": [{"text": text, "href": f"#threshold-{key}"} for key, text in errors.items()],
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "admin/retirement_thresholds.html", context, status_code=status_code
    )
    return response


@router.get(PATH, response_class=HTMLResponse)
def thresholds_page(request: Request, db: SessionDep, ctx: ContextDep, _admin: RequireAdmin) -> HTMLResponse:
    """The thresholds in force, their defaults, and the form."""
    return _render(request, db, ctx)


@router.post(PATH, response_class=HTMLResponse)
def thresholds_save(
    request: Request, form: FormFields, db: SessionDep, ctx: ContextDep, admin: RequireAdmin
) -> Response:
    """Save the four thresholds (or ``reset`` to the defaults), audited with the request's address."""
    general = ctx.reference.general
    try:
        if form.get("action") == "reset":
            reset_thresholds(db, admin, general, ip=client_ip(request))
            flash(request, "Retirement RAG thresholds reset to the defaults")
            return RedirectResponse(PATH, status_code=303)
        submitted = {k: str(form.get(k, ""))[:40] for k in LABELS}
        try:
            new = parse_thresholds(submitted)
        except ThresholdError as exc:
            return _render(request, db, ctx, errors=exc.errors, submitted=submitted, status_code=400)
        save_thresholds(db, admin, new, general, ip=client_ip(request))
    except PermissionDenied as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    flash(request, "Retirement RAG thresholds saved")
    return RedirectResponse(PATH, status_code=303)
