"""The staff register's Excel workbook: the blank template the app hands out and the export.

One layout for both, the one :func:`gpworkforce.ingest.register.read_register` reads, so an
export imports back as the same records: an ``Instructions`` sheet, a ``Staff`` and a
``Vacancies`` sheet (header row, frozen; drop-down lists for role, contract type, age band,
leaving reason and outcome from a hidden ``Lists`` sheet), no names anywhere.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any, Final

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from gpworkforce.ingest.register import (
    MAX_AGE,
    MAX_FTE,
    MIN_AGE,
    REGISTER_AGE_BANDS,
    STAFF_COLUMNS,
    STAFF_SHEET,
    VACANCY_COLUMNS,
    VACANCY_SHEET,
)
from gpworkforce.nomenclature import CONTRACT_TYPES, LEAVING_REASONS, ROLE_CODES, ROLES, VACANCY_OUTCOMES

LISTS_SHEET: Final = "Lists"
INSTRUCTIONS_SHEET: Final = "Instructions"
#: Rows the drop-down lists cover below the header (a practice has tens of staff, a PCN hundreds).
VALIDATED_ROWS: Final = 2000
#: Column -> the list it chooses from (column letter on the Lists sheet is the list's position).
LISTS: Final[dict[str, tuple[str, ...]]] = {
    "role": ROLE_CODES,
    "contract_type": CONTRACT_TYPES,
    "age_band": REGISTER_AGE_BANDS,
    "leaving_reason": LEAVING_REASONS,
    "outcome": VACANCY_OUTCOMES,
}
INSTRUCTIONS: Final[tuple[str, ...]] = (
    "gpworkforce staff register",
    "One row per person in post (or who has left) on the Staff sheet; one row per vacancy on the Vacancies sheet.",
    "Never enter names. local_ref is your own short reference (e.g. a payroll number), unique per employer.",
    "employer: the practice code (e.g. A81001), or the PCN code for PCN-employed (ARRS) staff. May be left blank "
    "when importing with --employer CODE.",
    "role, contract_type, age_band, leaving_reason and outcome: choose from the drop-down lists.",
    f"fte: 1 = 37.5 hours a week; above 0 and at most {MAX_FTE:g}.",
    f"birth_year or age_band (one is needed): the age at start_date must be {MIN_AGE} to {MAX_AGE}.",
    "Dates as YYYY-MM-DD. end_date is the last day worked; leave blank while in post. leaving_reason: retirement, "
    "other or unknown (blank with an end date is recorded as unknown).",
    "Vacancies: opened (date), closed and outcome (filled or withdrawn) together once it closes.",
    "Import: gpworkforce import register FILE [--employer CODE]. The file replaces the register of every employer "
    "it names, all or nothing: any bad cell is reported with its sheet, row and column and nothing is written.",
    "Role codes: " + "; ".join(f"{r.code} = {r.label}" for r in ROLES),
)


def _lists_sheet(book: Workbook) -> dict[str, str]:
    """Write the hidden Lists sheet; returns column -> formula of its range."""
    ws = book.create_sheet(LISTS_SHEET)
    formulas: dict[str, str] = {}
    for i, (name, values) in enumerate(LISTS.items(), start=1):
        letter = get_column_letter(i)
        ws.cell(row=1, column=i, value=name)
        for j, value in enumerate(values, start=2):
            ws.cell(row=j, column=i, value=value)
        formulas[name] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return formulas


def _cell(value: Any) -> Any:
    if value is None or (not isinstance(value, str | date) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _data_sheet(
    book: Workbook, name: str, columns: tuple[str, ...], frame: pd.DataFrame | None, formulas: dict[str, str]
) -> Worksheet:
    ws = book.create_sheet(name)
    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    if frame is not None:
        for record in frame[list(columns)].itertuples(index=False):
            ws.append([_cell(v) for v in record])
    last = max(VALIDATED_ROWS, ws.max_row) + 1
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(column) + 4)
        if column in formulas:
            check = DataValidation(type="list", formula1=formulas[column], allow_blank=True, showErrorMessage=True)
            check.error = f"Choose {column} from the list"
            ws.add_data_validation(check)
            check.add(f"{letter}2:{letter}{last}")
        elif column == "fte":
            check = DataValidation(type="decimal", operator="between", formula1="0.01", formula2=str(MAX_FTE))
            check.error, check.showErrorMessage = f"FTE above 0 and at most {MAX_FTE:g}", True
            ws.add_data_validation(check)
            check.add(f"{letter}2:{letter}{last}")
        elif column in ("start_date", "end_date", "opened", "closed"):
            for row in range(2, ws.max_row + 1):
                ws.cell(row=row, column=i).number_format = "yyyy-mm-dd"
    return ws


def register_workbook(staff: pd.DataFrame | None = None, vacancies: pd.DataFrame | None = None) -> bytes:
    """The register workbook as .xlsx bytes: blank (the template) or filled with the given frames."""
    book = Workbook()
    intro = book.active
    assert intro is not None  # a new workbook always has one sheet
    intro.title = INSTRUCTIONS_SHEET
    for line in INSTRUCTIONS:
        intro.append([line])
    intro["A1"].font = Font(bold=True, size=14)
    intro.column_dimensions["A"].width = 120
    formulas = _lists_sheet(book)
    _data_sheet(book, STAFF_SHEET, STAFF_COLUMNS, staff, formulas)
    _data_sheet(book, VACANCY_SHEET, VACANCY_COLUMNS, vacancies, formulas)
    book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
