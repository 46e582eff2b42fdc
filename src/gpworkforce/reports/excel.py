"""A report's tables as an Excel workbook, with a "notes" sheet that says where they came from.

The web's downloads and ``gpworkforce ... --format xlsx`` both write it: the tables with
number formats, a bold frozen header row and a filter, then a "notes" sheet with the
organisation, scenario, year, the page (or command) it came from, the notes behind the
figures, their sources and the Open Government Licence line.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gpworkforce.reports.source import ReportLike, org_label, year_of

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
    "party (Health Equity Evidence Centre), not an NHS publication; the notes above say how many practices' FTE "
    "are estimated or corrected by a user, and who corrected them when.",
    "Model parameters with their sources: gpworkforce reference/*.csv (docs/model.md).",
)
BASELINE_TEXT: Final = "baseline (today's data, no levers)"


@dataclass(frozen=True)
class About:
    """What the "notes" sheet says: whose figures, which scenario, where they were made."""

    organisation: str
    scenario: Mapping[str, str]
    year: Any
    #: ("Web page", url) from the web, ("Command", "gpworkforce gap ...") from the CLI.
    link: tuple[str, str]
    notes: Sequence[str]


def about(report: ReportLike, notes: Sequence[str], scenario: Mapping[str, str], link: tuple[str, str]) -> About:
    """The notes sheet of a workbook holding ``report``'s tables (``notes`` may merge several reports')."""
    return About(org_label(report), dict(scenario), year_of(report), link, list(notes))


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


def _cell_value(v: Any) -> Any:
    """A value openpyxl can write: NaN as an empty cell, numpy scalars as Python ones, times in UTC."""
    if isinstance(v, float) and pd.isna(v):
        return None
    if isinstance(v, pd.Timestamp):  # Excel has no time zones: written as UTC
        return (v.tz_convert("UTC").tz_localize(None) if v.tzinfo else v).to_pydatetime()
    if hasattr(v, "item"):
        return v.item()
    return v


def _write_sheet(ws: Worksheet, frame: pd.DataFrame, summary: bool) -> None:
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = [number_format(str(c)) for c in frame.columns]
    for record in frame.itertuples(index=False):
        ws.append([_cell_value(v) for v in record])
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


def _write_notes(ws: Worksheet, tables: str, info: About) -> None:
    scenario = "; ".join(f"{k}={v}" for k, v in info.scenario.items()) or BASELINE_TEXT
    rows: list[list[Any]] = [
        ["GP workforce planner"],
        ["Table", tables],
        ["Organisation", info.organisation],
        ["Scenario", scenario],
        ["Year", info.year],
        list(info.link),
        ["Created", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")],
        [],
        ["Notes"],
        *[[note] for note in info.notes],
        [],
        ["Sources"],
        *[[s] for s in SOURCES],
        [],
        [OGL_LINE],
    ]
    for row in rows:
        ws.append(row)
    for r in (1, 9, 10 + len(info.notes) + 1):
        ws.cell(r, 1).font = Font(bold=True)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 90


def workbook_bytes(tables: Mapping[str, pd.DataFrame], info: About | None) -> bytes:
    """An .xlsx file: one formatted sheet per table (named by its key), then the "notes" sheet (if ``info``)."""
    if not tables:
        raise ValueError("a workbook needs at least one table")
    wb = Workbook()
    first = wb.active
    assert first is not None
    for i, (name, frame) in enumerate(tables.items()):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = name[:31]
        _write_sheet(ws, frame, summary=name == "summary")
    if info is not None:
        _write_notes(wb.create_sheet("notes"), ", ".join(tables), info)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
