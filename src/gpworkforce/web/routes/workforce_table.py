"""The ICB / sub-ICB / PCN workforce table as a page, JSON, CSV or Excel: ``/org/{code}/workforce``,
``/api/org/{code}/workforce-table`` and ``/org/{code}/download/workforce-table.{csv|xlsx}``.

Built by :func:`gpworkforce.services.workforce_table.workforce_table`; cells whose data are not
loaded are null in JSON and "not loaded" in CSV/Excel, never zero.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from gpworkforce.reports import excel
from gpworkforce.reports.source import jsonable
from gpworkforce.reports.tables import csv_text
from gpworkforce.services.workforce_table import (
    LEVELS,
    TABLE_ROLES,
    UnknownOrganisationCode,
    WorkforceTable,
    default_standard,
    workforce_table,
)
from gpworkforce.web.deps import ContextDep

router = APIRouter()

ByQuery = Annotated[str | None, Query(description="icb, sub-icb, pcn or practice; default: one level down")]
StandardQuery = Annotated[
    float | None, Query(description="GP FTE per 1,000 patients to compare with (default 0.58)", gt=0, le=100)
]


def _table(ctx: ContextDep, code: str, by: str | None, standard: float | None) -> WorkforceTable:
    try:
        return workforce_table(ctx.engine, code, by, standard)
    except UnknownOrganisationCode as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


@router.get(
    "/api/org/{code}/workforce-table",
    summary="Workforce table: practices, patients, GP age, FTE by role per organisation",
    operation_id="getWorkforceTable",
    tags=["Organisations"],
)
def api_workforce_table(code: str, ctx: ContextDep, by: ByQuery = None, standard: StandardQuery = None) -> JSONResponse:
    """One row per organisation at level ``by`` inside ``code``, a total row and England."""
    return JSONResponse(jsonable(dataclasses.asdict(_table(ctx, code, by, standard))))


@router.get(
    "/org/{code}/download/workforce-table.{ext}",
    summary="Download the workforce table as CSV or Excel",
    operation_id="downloadWorkforceTable",
    tags=["Downloads"],
    response_class=Response,
)
def download_workforce_table(
    code: str, ext: str, ctx: ContextDep, by: ByQuery = None, standard: StandardQuery = None
) -> Response:
    """The same table as the API, flat; unavailable cells say "not loaded"."""
    if ext not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail="the workforce table downloads as .csv or .xlsx")
    table = _table(ctx, code, by, standard)
    frame = table.frame()
    name = "".join(ch for ch in table.org_code if ch.isalnum())
    disposition = {"Content-Disposition": f'attachment; filename="gpworkforce-{name}-workforce-table.{ext}"'}
    if ext == "csv":
        return Response(csv_text(frame), media_type="text/csv; charset=utf-8", headers=disposition)
    return Response(excel.workbook_bytes({"workforce": frame}, None), media_type=excel.XLSX_TYPE, headers=disposition)


#: Column headings of the page's roles.
ROLE_HEADINGS = {"gp": "GP", "nurse": "Nurse", "anp": "ANP", "hca": "HCA", "pharmacist": "Pharmacist"}
BY_LABELS = {"icb": "ICB", "sub_icb": "Sub-ICB location", "pcn": "PCN", "practice": "Practice"}


@router.get("/org/{code}/workforce-table", response_class=HTMLResponse, include_in_schema=False)
def workforce_page(
    request: Request, code: str, ctx: ContextDep, by: ByQuery = None, standard: StandardQuery = None
) -> HTMLResponse:
    """The table on a page: a row per organisation, the total and England, with sources and notes."""
    table = _table(ctx, code, by, standard)
    query = f"?by={table.level}&standard={table.standard_per_1000:g}"
    context = {
        "table": table,
        "roles": [(r, ROLE_HEADINGS.get(r, r)) for r in TABLE_ROLES],
        "by_choices": [(lv, BY_LABELS[lv]) for lv in LEVELS],
        "default_standard": default_standard(),
        "query": query,
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(request, "org/workforce_table.html", context)
    return response
