"""Every table of an organisation page as CSV or Excel: ``/org/{code}/download/{table}.{csv|xlsx}``.

The query string is the page's scenario, so a download holds exactly the numbers on screen
(from the same report cache). CSV keeps full precision and machine-readable column names;
the Excel file adds number formats, a frozen header row, a filter and a "notes" sheet with
the scenario, the sources and caveats of the figures and the Open Government Licence line.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Annotated, Any, Final

import pandas as pd
from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gpworkforce.services.analysis import Report
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.organisations import CHILD_LEVELS, UnknownOrganisation
from gpworkforce.web.context import Snapshot, levels_below, relevant, summary_rows
from gpworkforce.web.deps import DashboardDep
from gpworkforce.web.routes.api import SCENARIO_DOC
from gpworkforce.web.scenario_form import ScenarioError

router = APIRouter(tags=["Downloads"])

#: table name -> (report, table in the report); "summary" is built from three reports.
TABLES: Final = {
    "summary": ("summary", ""),
    "categories": ("demand", "categories"),
    "age_bands": ("demand", "age_bands"),
    "capacity_roles": ("capacity", "roles"),
    "gap_roles": ("gap", "roles"),
    "benchmarks": ("benchmark", "staff_groups"),
    "children": ("children", "organisations"),
}
FORMATS: Final = ("csv", "xlsx")
XLSX_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OGL_LINE: Final = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)."
)
SOURCES: Final = (
    "NHS England (NHS Digital): Patients Registered at a GP Practice; Appointments in General Practice; "
    "Primary Care Network Workforce; Quality and Outcomes Framework prevalence.",
    "OHID Fingertips: Index of Multiple Deprivation 2025 by GP practice.",
    "Office for National Statistics: 2022-based national population projections.",
    "Practice FTE by staff group: yearly averages of NHS England GP workforce statistics derived by a third "
    "party (Health Equity Evidence Centre), not an NHS publication.",
    "Model parameters with their sources: gpworkforce reference/*.csv (docs/model.md).",
)


def table_frame(
    snap: Snapshot, table: str, code: str, params: dict[str, str], by: str | None
) -> tuple[pd.DataFrame, Report, list[str]]:
    """The table's rows, the report it came from (title, organisation) and the notes behind it."""
    scenario, canonical = snap.parse(params)
    kind, name = TABLES[table]
    if kind == "summary":
        gap = snap.report("gap", code, scenario)
        demand = snap.report("demand", code, relevant("demand", scenario))
        capacity = snap.report("capacity", code, relevant("capacity", scenario))
        baseline = snap.report("gap", code) if canonical else None
        notes = list(dict.fromkeys(gap.notes + demand.notes + capacity.notes))
        return summary_rows(gap, demand, capacity, baseline), gap, notes
    if kind == "children":
        org = snap.org(code)
        level = by if by in levels_below(org.level) else CHILD_LEVELS.get(org.level)
        if level is None:
            raise LookupError("a practice has no organisations below it")
        report = snap.report("children", code, scenario, level)
    else:
        report = snap.report(kind, code, relevant(kind, scenario))
    return report.tables[name], report, list(report.notes)


def number_format(column: str) -> str | None:
    """Excel number format by column name (shares as %, FTE with decimals, counts with commas)."""
    c = column.lower()
    if c in ("share", "gp_share", "gap_share_of_demand", "capacity_to_demand", "share_of_gp_work_others_could_take"):
        return "0.0%"
    if c.startswith("percentile"):
        return "0.0"
    if "patients_per" in c:
        return "#,##0"
    if ("fte" in c and "per_fte" not in c) or "per_1000" in c or "per_patient" in c:
        return "#,##0.00"
    if c in ("practices", "year", "rows"):
        return "0"
    return "#,##0"


def _value_format(unit: str) -> str:
    return {"share": "0.0%", "FTE": "#,##0.0", "year": "0"}.get(unit, "#,##0")


def _write_sheet(ws: Worksheet, frame: pd.DataFrame, summary: bool) -> None:
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = [number_format(str(c)) for c in frame.columns]
    for record in frame.itertuples(index=False):
        row = []
        for v in record:
            if isinstance(v, float) and pd.isna(v):
                row.append(None)
            elif hasattr(v, "item"):
                row.append(v.item())
            else:
                row.append(v)
        ws.append(row)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    for j, fmt in enumerate(formats, start=1):
        if not numeric[j - 1] or fmt is None:
            continue
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            cell.number_format = fmt
    if summary:  # one measure per row: format each value by its unit
        cols = list(frame.columns)
        unit_col = cols.index("unit") + 1
        for r in range(2, ws.max_row + 1):
            fmt = _value_format(str(ws.cell(r, unit_col).value))
            for name in ("value", "baseline"):
                if name in cols:
                    ws.cell(r, cols.index(name) + 1).number_format = fmt
    for j, column in enumerate(frame.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        ws.column_dimensions[get_column_letter(j)].width = min(max(10, width + 2), 60)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def xlsx_bytes(
    frame: pd.DataFrame, table: str, report: Report, notes: list[str], params: dict[str, str], url: str
) -> bytes:
    """A workbook: the table (formatted) and a "notes" sheet with scenario, sources and licence."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = table[:31]
    _write_sheet(ws, frame, summary=table == "summary")
    info = wb.create_sheet("notes")
    org = report.org
    scenario = "; ".join(f"{k}={v}" for k, v in params.items()) or "baseline (today's data, no levers)"
    rows: list[list[Any]] = [
        ["GP workforce planner"],
        ["Table", table],
        ["Organisation", f"{org.get('label', org.get('name'))}"],
        ["Scenario", scenario],
        ["Year", report.summary.get("year", "")],
        ["Web page", url],
        ["Created", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")],
        [],
        ["Notes"],
        *[[note] for note in notes],
        [],
        ["Sources"],
        *[[s] for s in SOURCES],
        [],
        [OGL_LINE],
    ]
    for row in rows:
        info.append(row)
    for r in (1, 9, 10 + len(notes) + 1):
        info.cell(r, 1).font = Font(bold=True)
    info.column_dimensions["A"].width = 16
    info.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _filename(code: str, table: str, params: dict[str, str], ext: str) -> str:
    safe = "".join(ch for ch in code if ch.isalnum() or ch in "-_")
    return f"gpworkforce-{safe}-{table}{'-scenario' if params else ''}.{ext}"


@router.get(
    "/org/{code}/download/{table}.{ext}",
    summary="Download a table as CSV or Excel",
    openapi_extra=SCENARIO_DOC,
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, XLSX_TYPE: {}}},
        400: {"description": "Invalid scenario field"},
        404: {"description": "Unknown organisation or table"},
    },
)
def download(
    request: Request,
    code: str,
    dashboard: DashboardDep,
    table: Annotated[str, Path(description=", ".join(TABLES))],
    ext: Annotated[str, Path(description="csv or xlsx")],
) -> Response:
    """One table of an organisation page, with the page's scenario; ``by`` picks the children's level."""
    if table not in TABLES or ext not in FORMATS:
        return PlainTextResponse(f"No table {table}.{ext}: tables are {', '.join(TABLES)}; formats csv, xlsx", 404)
    raw = dict(request.query_params)
    by = raw.get("by") or None
    try:
        snap = dashboard.snapshot()
        frame, report, notes = table_frame(snap, table, code, raw, by)
        _, params = snap.parse(raw)
    except UnknownOrganisation as exc:
        return PlainTextResponse(str(exc), 404)
    except ScenarioError as exc:
        return PlainTextResponse(exc.message, 400)
    except DataMissingError as exc:
        return PlainTextResponse(str(exc), 503)
    except LookupError as exc:
        return PlainTextResponse(str(exc), 404)
    filename = _filename(str(report.org["code"]), table, params, ext)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if ext == "csv":
        return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8", headers=headers)
    page = str(request.url.replace(path=f"/org/{report.org['code']}", query=request.url.query))
    body = xlsx_bytes(frame, table, report, notes, params, page)
    return Response(body, media_type=XLSX_TYPE, headers=headers)
