"""Every table of an organisation page as CSV or Excel: ``/org/{code}/download/{table}.{csv|xlsx}``.

The query string is the page's scenario, so a download holds exactly the numbers on screen
(from the same report cache). CSV keeps full precision and machine-readable column names;
the Excel file (written by :mod:`gpworkforce.reports.excel`, as ``gpworkforce ... --format
xlsx`` does) adds number formats, a frozen header row, a filter and a "notes" sheet with the
scenario, the sources and caveats of the figures and the Open Government Licence line.
"""

from __future__ import annotations

from typing import Annotated, Final

import pandas as pd
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from gpworkforce.reports import excel
from gpworkforce.reports.source import ReportLike, notes_of, org_code
from gpworkforce.reports.tables import TABLES, csv_text, summary_rows
from gpworkforce.services.national import DataMissingError
from gpworkforce.services.organisations import CHILD_LEVELS, UnknownOrganisation
from gpworkforce.web import workforce_view
from gpworkforce.web.context import Snapshot
from gpworkforce.web.deps import DashboardDep
from gpworkforce.web.errors import render_error
from gpworkforce.web.lookups import levels_below
from gpworkforce.web.month_choice import page_month
from gpworkforce.web.routes.api import SCENARIO_DOC
from gpworkforce.web.scenario_form import ScenarioError
from gpworkforce.web.views import relevant

router = APIRouter(tags=["Downloads"])

FORMATS: Final = ("csv", "xlsx")


def table_frame(
    snap: Snapshot, table: str, code: str, params: dict[str, str], by: str | None
) -> tuple[pd.DataFrame, ReportLike, list[str]]:
    """The table's rows, the report it came from (title, organisation) and the notes behind it."""
    scenario, canonical = snap.parse(params, strict=False)
    month = page_month(snap.version, params, scenario)
    kind, name = TABLES[table]
    if kind == "summary":
        gap = snap.gap(code, scenario)
        demand = snap.demand(code, relevant("demand", scenario))
        capacity = snap.capacity(code, relevant("capacity", scenario))
        baseline = snap.gap(code) if canonical else None
        return summary_rows(gap, demand, capacity, baseline), gap, notes_of(gap, demand, capacity)
    report: ReportLike
    if kind == "retirement":
        report = workforce_view.retirement(snap, code)
        return report.frames()[name], report, list(report.notes)
    if kind == "supply":
        report = workforce_view.supply(snap, code, workforce_view.supply_choice(params))
        return report.frames()[name], report, list(report.notes)
    if kind == "children":
        org = snap.org(code)
        level = by if by in levels_below(org.level) else CHILD_LEVELS.get(org.level)
        if level is None:
            raise LookupError(
                f"{org.label} is a practice: it has no organisations below it, so it has no table of them."
            )
        report = snap.children(code, scenario, level, month)
    else:
        report = snap.report(kind, code, relevant(kind, scenario))
    return report.frames()[name], report, list(report.notes)


def _filename(code: str, table: str, params: dict[str, str], ext: str) -> str:
    safe = "".join(ch for ch in code if ch.isalnum() or ch in "-_")
    return f"gpworkforce-{safe}-{table}{'-scenario' if params else ''}.{ext}"


@router.get(
    "/org/{code}/download/{table}.{ext}",
    summary="Download a table as CSV or Excel",
    operation_id="downloadTable",
    openapi_extra={
        "parameters": [
            *SCENARIO_DOC["parameters"],
            {
                "name": "month",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                "description": "YYYY-MM, as on the page: the children table gains appointments_in_month "
                "(working days and season) and takes the month's year's demand",
            },
        ]
    },
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, excel.XLSX_TYPE: {}}},
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
    """One table of an organisation page, with the page's scenario; ``by`` picks the children's level.

    With the page's ``month`` (``YYYY-MM``) the children table gains ``appointments_in_month`` and,
    like ``gpworkforce demand ORG --by LEVEL --month``, takes the month's year's demand."""
    if table not in TABLES or ext not in FORMATS:
        known = f"The tables are {', '.join(TABLES)}, as CSV (.csv) or Excel (.xlsx)."
        return render_error(request, 404, explanation=f"There is no download called {table[:60]}.{ext[:10]}. {known}")
    raw = dict(request.query_params)
    by = raw.get("by") or None
    try:
        snap = dashboard.snapshot()
        frame, report, notes = table_frame(snap, table, code, raw, by)
        _, params = snap.parse(raw, strict=False)
    except UnknownOrganisation as exc:
        return render_error(request, 404, explanation=str(exc))
    except ScenarioError as exc:
        return render_error(request, 400, explanation=f"The scenario settings are not valid: {exc}")
    except workforce_view.WorkforceParamError as exc:
        return render_error(request, 400, explanation=f"The projection settings are not valid: {exc}")
    except DataMissingError as exc:
        return render_error(request, 503, explanation=str(exc))
    except LookupError as exc:
        return render_error(request, 404, explanation=str(exc))
    org = org_code(report)
    headers = {"Content-Disposition": f'attachment; filename="{_filename(org, table, params, ext)}"'}
    if ext == "csv":
        return Response(csv_text(frame), media_type="text/csv; charset=utf-8", headers=headers)
    page = str(request.url.replace(path=f"/org/{org}", query=request.url.query))
    body = excel.workbook_bytes({table: frame}, excel.about(report, notes, params, ("Web page", page)))
    return Response(body, media_type=excel.XLSX_TYPE, headers=headers)
