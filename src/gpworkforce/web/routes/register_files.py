"""Staff register files: the Excel template, upload of a filled template or CSV (all or nothing),
export of an organisation's register (CSV or Excel) and the organisation's monthly table.

Same access as the pages (signed in, within scope: 403 otherwise). An upload names the file,
row and column of every problem (400, nothing written); it may only hold the page's employer
(the page's practice or PCN) or, from an organisation's page, employers inside it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from gpworkforce.reports import excel
from gpworkforce.reports.register_workbook import register_workbook
from gpworkforce.reports.tables import csv_text
from gpworkforce.services.register import UnknownEmployer
from gpworkforce.services.register_io import IngestError, export_register, import_register, read_register
from gpworkforce.services.register_state import current_month, org_register_status
from gpworkforce.web import register_view as rv
from gpworkforce.web.deps import ContextDep, RequireUser, SessionDep, client_ip
from gpworkforce.web.routes.register_pages import render_employer
from gpworkforce.web.templating import flash

router = APIRouter(tags=["Staff register"])
#: Largest upload read (a register of thousands of staff is well under 1 MB).
MAX_UPLOAD_BYTES: Final = 5 * 1024 * 1024
SUFFIXES: Final = (".csv", ".xlsx", ".xlsm")


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _safe(code: str) -> str:
    return "".join(ch for ch in code if ch.isalnum())


@router.get("/org/{code}/register/template.xlsx", summary="The register's blank Excel template",
            operation_id="downloadRegisterTemplate", response_class=Response)  # fmt: skip
def template(code: str, user: RequireUser, ctx: ContextDep) -> Response:
    """The blank template with drop-down lists for role, contract type and leaving reason."""
    employer = rv.checked_employer(user, code, ctx.version())
    return Response(register_workbook(), media_type=excel.XLSX_TYPE,
                    headers=_attachment(f"gpworkforce-{_safe(employer)}-register-template.xlsx"))  # fmt: skip


@router.get("/org/{code}/register/export.{ext}", summary="Export the register as CSV (staff) or Excel",
            operation_id="exportRegister", response_class=Response)  # fmt: skip
def export(code: str, ext: str, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Every employer's staff records and vacancies in ``code`` in the template's layout (imports back as is);
    ``export.csv`` staff records, ``export.vacancies.csv`` vacancies."""
    if ext not in ("csv", "xlsx", "vacancies.csv"):
        raise HTTPException(status_code=404, detail="the register exports as .csv, .vacancies.csv or .xlsx")
    version = ctx.version()
    org = rv.checked_org(user, code, version)
    out = export_register(db, user, org, version)
    name = f"gpworkforce-{_safe(org)}-register"
    if ext == "xlsx":
        return Response(register_workbook(out.staff, out.vacancies), media_type=excel.XLSX_TYPE,
                        headers=_attachment(f"{name}.xlsx"))  # fmt: skip
    frame, suffix = (out.staff, "csv") if ext == "csv" else (out.vacancies, "vacancies.csv")
    return Response(csv_text(frame), media_type="text/csv; charset=utf-8", headers=_attachment(f"{name}.{suffix}"))


@router.get("/org/{code}/register/status.{ext}", summary="The organisation's monthly register table as CSV or Excel",
            operation_id="downloadRegisterStatus", response_class=Response)  # fmt: skip
def status_download(
    code: str, ext: str, user: RequireUser, db: SessionDep, ctx: ContextDep, month: str | None = None
) -> Response:
    """One row per employer: in post, FTE, joiners, leavers by reason, vacancy rate, turnover, last update."""
    if ext not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail="the register table downloads as .csv or .xlsx")
    version = ctx.version()
    org = rv.checked_org(user, code, version)
    try:
        status = org_register_status(db, user, org, version, month or current_month())
    except ValueError:
        raise HTTPException(status_code=400, detail="month must be YYYY-MM, for example 2026-03") from None
    frame = status.frame()
    name = f"gpworkforce-{_safe(org)}-register-{status.month}.{ext}"
    if ext == "csv":
        return Response(csv_text(frame), media_type="text/csv; charset=utf-8", headers=_attachment(name))
    return Response(excel.workbook_bytes({"register": frame}, None), media_type=excel.XLSX_TYPE,
                    headers=_attachment(name))  # fmt: skip


async def _uploaded(request: Request) -> tuple[str | None, bytes | None]:
    """The uploaded file's name and bytes (None, None when there is none; bytes cut at the limit + 1)."""
    item = (await request.form()).get("file")
    if not isinstance(item, UploadFile) or not item.filename:
        return None, None
    return Path(item.filename).name, await item.read(MAX_UPLOAD_BYTES + 1)


Uploaded = Annotated[tuple[str | None, bytes | None], Depends(_uploaded)]


@router.post("/org/{code}/register/import", response_class=HTMLResponse, include_in_schema=False)
def upload(request: Request, code: str, file: Uploaded, user: RequireUser, db: SessionDep, ctx: ContextDep) -> Response:
    """Replace the employer's register with a filled template or CSV: every row checked first, all or nothing."""
    version = ctx.version()
    employer = rv.checked_employer(user, code, version)
    name, data = file
    problem: str | None = None
    read = None
    if name is None or data is None:
        problem = "choose a register file to upload (.xlsx template or .csv)"
    elif Path(name).suffix.lower() not in SUFFIXES:
        problem = f"{name}: upload the Excel template (.xlsx) or a CSV file (.csv)"
    elif len(data) > MAX_UPLOAD_BYTES:
        problem = f"{name}: larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
            path.write_bytes(data)
            try:
                read = read_register(path, employer=employer)
            except IngestError as exc:
                problem = str(exc)
    if read is not None and problem is None:
        others = sorted(set(read.employers) - {employer})
        if not read.employers:
            problem = f"{read.source_file}: the file has no staff or vacancy rows"
        elif others:
            problem = (
                f"{read.source_file}: column employer names {', '.join(others)}; this page imports {employer} only"
            )
    if problem is not None or read is None:
        return render_employer(request, db, user, version, employer, errors={"file": problem or "unreadable"},
                               form="import", status_code=400)  # fmt: skip
    try:
        done = import_register(db, user, read, version, ip=client_ip(request))
    except UnknownEmployer as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None
    d = done[0]
    flash(request, f"Imported {read.source_file}: {d.staff:,} staff records and {d.vacancies:,} vacancies "
                   f"(replacing {d.replaced_staff:,} and {d.replaced_vacancies:,})")  # fmt: skip
    return RedirectResponse(f"/org/{employer}/register/employer", status_code=303)
