"""Read a staff register (CSV, or the Excel template the app hands out) into canonical frames.

The layout is ours, not NHS England's: the column names below, one header row, one record a
row. A CSV holds one table: staff records, or vacancies when its header has ``opened``. The
Excel template has a ``Staff`` and a ``Vacancies`` sheet (see
:mod:`gpworkforce.reports.register_workbook`, which writes the same layout). Every bad cell
(unknown role, FTE outside (0, 2], end before start, an age under 16 or over 90 at the start,
a duplicate, a missing column) is collected and raised as one :class:`IngestError` naming the
file, sheet row and column; nothing is returned, so nothing can be written.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import openpyxl
import pandas as pd

from gpworkforce.frames import GP_AGE_BANDS
from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.problems import ProblemLog, clip
from gpworkforce.nomenclature import CONTRACT_TYPES, LEAVING_REASONS, ROLES, VACANCY_OUTCOMES

STAFF_SHEET: Final = "Staff"
VACANCY_SHEET: Final = "Vacancies"
#: Columns of the Staff sheet / a staff CSV, in template order; ``employer`` may be left out
#: when the importer is given one (``--employer``).
STAFF_COLUMNS: Final[tuple[str, ...]] = (
    "employer", "local_ref", "role", "contract_type", "fte", "birth_year", "age_band",
    "start_date", "end_date", "leaving_reason",
)  # fmt: skip
VACANCY_COLUMNS: Final[tuple[str, ...]] = ("employer", "local_ref", "role", "fte", "opened", "closed", "outcome")
#: Columns a file may leave out altogether (blank everywhere).
OPTIONAL_COLUMNS: Final = frozenset({"employer", "local_ref", "birth_year", "age_band", "end_date", "leaving_reason"})
OPTIONAL_VACANCY_COLUMNS: Final = frozenset({"employer", "local_ref", "closed", "outcome"})
#: Register age bands: the NHS detailed file's GP bands (``unknown`` allowed).
REGISTER_AGE_BANDS: Final[tuple[str, ...]] = GP_AGE_BANDS
#: Youngest and oldest plausible age at the start date (school-leaving age; no one starts at 91+).
MIN_AGE: Final = 16
MAX_AGE: Final = 90
MAX_FTE: Final = 2.0
_CODE: Final = re.compile(r"^[A-Z0-9]{3,10}$")
_ROLE_BY_TEXT: Final = {**{r.label.lower(): r.code for r in ROLES}, **{r.code: r.code for r in ROLES}}


@dataclass(frozen=True)
class RegisterFile:
    """A register file read and checked: staff records and vacancies as canonical frames."""

    source_file: str
    staff: pd.DataFrame
    vacancies: pd.DataFrame
    notes: tuple[str, ...] = field(default=())
    #: Which tables the file holds: an import replaces only those (a staff CSV leaves vacancies be).
    has_staff: bool = True
    has_vacancies: bool = True

    @property
    def employers(self) -> tuple[str, ...]:
        """Every employer the file names, sorted."""
        return tuple(sorted(set(self.staff["employer"]) | set(self.vacancies["employer"])))


def empty_staff() -> pd.DataFrame:
    """The canonical staff frame with no rows (dtypes as :func:`read_register` returns)."""
    return _frame([], STAFF_COLUMNS)


def empty_vacancies() -> pd.DataFrame:
    """The canonical vacancy frame with no rows."""
    return _frame([], VACANCY_COLUMNS)


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(columns))
    for col in ("fte",):
        frame[col] = frame[col].astype(float)
    if "birth_year" in frame:
        frame["birth_year"] = frame["birth_year"].astype("Int64")
    for col in columns:
        if col not in ("fte", "birth_year"):  # blanks as None, never NaN, in text and date columns
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Row:
    """One sheet row being checked; problems go to the shared log with its row number."""

    def __init__(self, log: ProblemLog, line: int, cells: dict[str, Any]) -> None:
        self.log, self.line, self.cells = log, line, cells

    def bad(self, column: str, message: str) -> None:
        self.log.add(self.line, column, message)

    def text(self, column: str) -> str:
        return _text(self.cells.get(column))

    def choice(self, column: str, allowed: tuple[str, ...], *, required: bool) -> str | None:
        value = self.text(column).lower().replace(" ", "_")
        if not value:
            if required:
                self.bad(column, "is empty; choose one of " + ", ".join(allowed))
            return None
        if value not in allowed:
            self.bad(column, f"'{clip(self.text(column))}' is not one of {', '.join(allowed)}")
            return None
        return value

    def role(self) -> str | None:
        raw = self.text("role")
        code = _ROLE_BY_TEXT.get(raw.lower()) or _ROLE_BY_TEXT.get(raw.lower().replace(" ", "_"))
        if code is None:
            self.bad(
                "role", f"'{clip(raw)}' is not a role; use a code from the template's list (e.g. gp, practice_nurse)"
            )
        return code

    def fte(self) -> float | None:
        raw = self.text("fte")
        try:
            value = float(raw)
        except ValueError:
            self.bad("fte", f"'{clip(raw)}' is not a number; FTE is 1 for 37.5 hours a week")
            return None
        if not (0 < value <= MAX_FTE):
            self.bad("fte", f"{clip(raw)} is outside 0 to {MAX_FTE:g}; FTE must be above 0 and at most {MAX_FTE:g}")
            return None
        return value

    def day(self, column: str, *, required: bool) -> date | None:
        raw = self.cells.get(column)
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        text = _text(raw)
        if not text:
            if required:
                self.bad(column, "is empty; give a date like 2024-04-01")
            return None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.bad(column, f"'{clip(text)}' is not a date; use YYYY-MM-DD (2024-04-01) or DD/MM/YYYY")
        return None

    def employer(self, default: str | None) -> str | None:
        code = self.text("employer").upper() or (default or "")
        if not code:
            self.bad("employer", "is empty; give the practice (or PCN) code, or import with --employer CODE")
            return None
        if not _CODE.fullmatch(code):
            self.bad("employer", f"'{clip(code)}' is not a practice or PCN code")
            return None
        return code

    def local_ref(self) -> str | None:
        ref = self.text("local_ref")
        if len(ref) > 40:
            self.bad("local_ref", "is longer than 40 characters; use a short reference, never a name")
            return None
        return ref or None


def _staff_row(row: _Row, default_employer: str | None, notes: list[str]) -> dict[str, Any]:
    employer = row.employer(default_employer)
    role, fte = row.role(), row.fte()
    contract = row.choice("contract_type", CONTRACT_TYPES, required=True)
    start, end = row.day("start_date", required=True), row.day("end_date", required=False)
    band = row.choice("age_band", REGISTER_AGE_BANDS, required=False)
    birth_text, birth_year = row.text("birth_year"), None
    if birth_text:
        try:
            birth_year = int(float(birth_text))
        except ValueError:
            row.bad("birth_year", f"'{clip(birth_text)}' is not a year")
    if birth_year is not None and start is not None:
        age = start.year - birth_year
        if not (MIN_AGE <= age <= MAX_AGE):
            row.bad("birth_year", f"{birth_year} makes them {age} at the start date; ages {MIN_AGE} to {MAX_AGE} only")
    if not birth_text and band is None:
        row.bad("birth_year", "and age_band are both empty; give one (age_band may be 'unknown')")
    if start is not None and end is not None and end < start:
        row.bad("end_date", f"{end:%Y-%m-%d} is before the start date {start:%Y-%m-%d}")
    reason = row.choice("leaving_reason", LEAVING_REASONS, required=False)
    if reason is not None and end is None:
        row.bad("leaving_reason", "is given but end_date is empty; a leaving reason needs an end date")
    if end is not None and reason is None and not row.text("leaving_reason"):
        reason = "unknown"
        notes.append(f"row {row.line}: end_date without leaving_reason, recorded as 'unknown'")
    return {
        "employer": employer, "local_ref": row.local_ref(), "role": role, "contract_type": contract, "fte": fte,
        "birth_year": birth_year, "age_band": band, "start_date": start, "end_date": end, "leaving_reason": reason,
    }  # fmt: skip


def _vacancy_row(row: _Row, default_employer: str | None) -> dict[str, Any]:
    employer = row.employer(default_employer)
    role, fte = row.role(), row.fte()
    opened, closed = row.day("opened", required=True), row.day("closed", required=False)
    outcome = row.choice("outcome", VACANCY_OUTCOMES, required=False)
    if opened is not None and closed is not None and closed < opened:
        row.bad("closed", f"{closed:%Y-%m-%d} is before the opening date {opened:%Y-%m-%d}")
    if closed is not None and outcome is None and not row.text("outcome"):
        row.bad("outcome", "is empty but the vacancy has a closed date; choose filled or withdrawn")
    if closed is None and outcome is not None:
        row.bad("closed", f"is empty but the outcome is {outcome}; give the date it closed")
    return {
        "employer": employer, "local_ref": row.local_ref(), "role": role, "fte": fte,
        "opened": opened, "closed": closed, "outcome": outcome,
    }  # fmt: skip


def _check_duplicates(log: ProblemLog, rows: list[tuple[int, dict[str, Any]]], key_columns: tuple[str, ...]) -> None:
    """A local reference used twice by one employer, or a row without one repeated exactly, is a duplicate."""
    seen_ref: dict[tuple[Any, ...], int] = {}
    seen_row: dict[tuple[Any, ...], int] = {}
    for line, rec in rows:
        if rec.get("local_ref"):
            key = (rec["employer"], rec["local_ref"])
            if key in seen_ref:
                log.add(line, "local_ref", f"'{clip(str(rec['local_ref']))}' is already used on row {seen_ref[key]}")
                continue
            seen_ref[key] = line
            continue  # different references are different people, however alike
        whole = tuple(rec.get(c) for c in key_columns)
        if whole in seen_row:
            log.add(line, None, f"duplicate record: the same as row {seen_row[whole]}")
            continue
        seen_row[whole] = line


def _check_columns(log: ProblemLog, header: list[str], wanted: tuple[str, ...], optional: frozenset[str]) -> bool:
    missing = [c for c in wanted if c not in header and c not in optional]
    for col in missing:
        log.add(1, col, f"column is missing; the header must have {', '.join(wanted)}")
    unknown = [c for c in header if c and c not in wanted]
    for col in unknown:
        log.add(1, col, f"is not a register column; expected {', '.join(wanted)}")
    return not missing and not unknown


def _parse(
    log: ProblemLog, header: list[str], body: list[tuple[int, list[Any]]], vacancies: bool, employer: str | None,
    notes: list[str],
) -> list[dict[str, Any]]:  # fmt: skip
    columns, optional = (VACANCY_COLUMNS, OPTIONAL_VACANCY_COLUMNS) if vacancies else (STAFF_COLUMNS, OPTIONAL_COLUMNS)
    if not _check_columns(log, header, columns, optional):
        return []
    parsed: list[tuple[int, dict[str, Any]]] = []
    for line, values in body:
        if all(_text(v) == "" for v in values):
            continue
        row = _Row(log, line, dict(zip(header, values, strict=False)))
        parsed.append((line, _vacancy_row(row, employer) if vacancies else _staff_row(row, employer, notes)))
    keys = ("employer", "role", "fte", "opened", "closed") if vacancies else (
        "employer", "role", "contract_type", "fte", "birth_year", "age_band", "start_date", "end_date",
    )  # fmt: skip
    _check_duplicates(log, parsed, keys)
    return [rec for _, rec in parsed]


def _header(values: list[Any]) -> list[str]:
    return [_text(v).lower().replace(" ", "_") for v in values]


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise IngestError(path.name, f"not a UTF-8 CSV file ({exc.__class__.__name__})") from None
    if not lines:
        raise IngestError(path.name, "the file is empty; the first line must be the header")
    return _header(lines[0]), [(i + 2, row) for i, row in enumerate(lines[1:])]


def _read_sheet(path: Path, workbook: Any, name: str) -> tuple[list[str], list[tuple[int, list[Any]]]] | None:
    if name not in workbook.sheetnames:
        return None
    rows = list(workbook[name].iter_rows(values_only=True))
    if not rows:
        raise IngestError(f"{path.name} (sheet {name})", "the sheet is empty; row 1 must be the header")
    return _header(list(rows[0])), [(i + 2, list(r)) for i, r in enumerate(rows[1:])]


def read_register(path: Path, *, employer: str | None = None) -> RegisterFile:
    """Read and check a register file; raises :class:`IngestError` naming file, row and column.

    ``employer`` fills the employer of rows that leave it blank (and of files without the column).
    """
    default = employer.strip().upper() if employer else None
    notes: list[str] = []
    staff: list[dict[str, Any]] = []
    vacancies: list[dict[str, Any]] = []
    held: set[bool] = set()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:
            raise IngestError(
                path.name, f"not an Excel workbook openpyxl can read ({exc.__class__.__name__})"
            ) from None
        try:
            found = False
            for sheet, is_vac in ((STAFF_SHEET, False), (VACANCY_SHEET, True)):
                read = _read_sheet(path, book, sheet)
                if read is None:
                    continue
                found = True
                held.add(is_vac)
                log = ProblemLog(f"{path.name} (sheet {sheet})")
                out = _parse(log, read[0], read[1], is_vac, default, notes)
                log.raise_if_any()
                (vacancies if is_vac else staff).extend(out)
            if not found:
                raise IngestError(path.name, f"the workbook has neither a {STAFF_SHEET} nor a {VACANCY_SHEET} sheet")
        finally:
            book.close()
    else:
        header, body = _read_csv(path)
        log = ProblemLog(path.name)
        is_vac = "opened" in header
        held.add(is_vac)
        out = _parse(log, header, body, is_vac, default, notes)
        log.raise_if_any()
        (vacancies if is_vac else staff).extend(out)
    return RegisterFile(
        path.name, _frame(staff, STAFF_COLUMNS), _frame(vacancies, VACANCY_COLUMNS), tuple(notes),
        has_staff=False in held, has_vacancies=True in held,
    )  # fmt: skip


def _check_cells(cells: dict[str, Any], employer: str | None, vacancy: bool) -> tuple[dict[str, Any], dict[str, str]]:
    log, notes = ProblemLog("form"), list[str]()
    row = _Row(log, 0, cells)
    record = _vacancy_row(row, employer) if vacancy else _staff_row(row, employer, notes)
    errors: dict[str, str] = {}
    for p in log.items:
        errors.setdefault(p.column or "form", p.message)
    return record, errors


def check_staff_cells(cells: dict[str, Any], employer: str | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """One staff record from form-like cells (text or dates) by the file's rules: (record, errors by column).

    Why: the web form, the services and the importer must refuse exactly the same things.
    """
    return _check_cells(cells, employer, vacancy=False)


def check_vacancy_cells(cells: dict[str, Any], employer: str | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """One vacancy from form-like cells by the file's rules: (record, errors by column)."""
    return _check_cells(cells, employer, vacancy=True)
