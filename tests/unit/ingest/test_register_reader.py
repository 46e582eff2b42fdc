"""The register reader: what it accepts reads back exactly; what it refuses names file, row and column."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.register import STAFF_COLUMNS, read_register
from gpworkforce.nomenclature import CONTRACT_TYPES, LEAVING_REASONS, ROLE_CODES
from gpworkforce.reports.register_workbook import register_workbook

RUN = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def staff_rows(draw: st.DrawFn) -> dict[str, object]:
    start = draw(st.dates(date(1990, 1, 1), date(2030, 12, 31)))
    age = draw(st.integers(16, 90))
    ended = draw(st.booleans())
    return {
        "employer": draw(st.sampled_from(["A81001", "U89141"])),
        "local_ref": None,
        "role": draw(st.sampled_from(ROLE_CODES)),
        "contract_type": draw(st.sampled_from(CONTRACT_TYPES)),
        "fte": draw(st.sampled_from([0.01, 0.1, 0.5, 0.8, 1.0, 1.2, 2.0])),
        "birth_year": start.year - age,
        "age_band": None,
        "start_date": start,
        "end_date": start + timedelta(days=draw(st.integers(0, 5000))) if ended else None,
        "leaving_reason": draw(st.sampled_from(LEAVING_REASONS)) if ended else None,
    }


def _csv(path: Path, rows: list[dict[str, object]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(STAFF_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@RUN
@given(st.lists(staff_rows(), min_size=1, max_size=15, unique_by=lambda r: tuple(sorted(map(str, r.values())))))
def test_valid_rows_read_back_exactly_from_csv_and_excel(tmp_path: Path, rows: list[dict[str, object]]) -> None:
    for i, row in enumerate(rows):
        row["local_ref"] = f"R{i}"
    from_csv = read_register(_csv(tmp_path / "reg.csv", rows))
    assert from_csv.staff.to_dict("records") == [{**r, "birth_year": r["birth_year"]} for r in rows]
    book = tmp_path / "reg.xlsx"
    book.write_bytes(register_workbook(from_csv.staff, from_csv.vacancies))
    from_xlsx = read_register(book)
    assert from_xlsx.staff.equals(from_csv.staff) and from_xlsx.has_staff and from_xlsx.has_vacancies


@RUN
@given(
    st.lists(staff_rows(), min_size=1, max_size=8),
    st.sampled_from(
        [
            ("fte", "-0.5"),
            ("fte", "0"),
            ("fte", "2.01"),
            ("fte", "lots"),
            ("role", "wizard"),
            ("birth_year", "+12"),
            ("birth_year", "+95"),
            ("birth_year", "+15"),
            ("birth_year", "+91"),
            ("contract_type", "zero-hours"),
            ("start_date", "31/02/2024"),
            ("leaving_reason", "fired"),
        ]
    ),
    st.data(),
)
def test_one_bad_cell_is_named_by_row_and_column(
    tmp_path: Path, rows: list[dict[str, object]], bad: tuple[str, str], data: st.DataObject
) -> None:
    column, value = bad
    target = data.draw(st.integers(0, len(rows) - 1))
    for i, row in enumerate(rows):
        row["local_ref"] = f"R{i}"
    if value.startswith("+"):  # an age at the start date
        row = rows[target]
        start = row["start_date"]
        assert isinstance(start, date)
        value = str(start.year - int(value[1:]))
    if column == "leaving_reason":
        rows[target]["end_date"] = rows[target]["start_date"]
    rows[target][column] = value
    with pytest.raises(IngestError) as err:
        read_register(_csv(tmp_path / "bad.csv", rows))
    assert (err.value.file, err.value.row, err.value.column) == ("bad.csv", target + 2, column)


def test_ages_16_and_90_are_accepted(tmp_path: Path) -> None:
    head = ",".join(STAFF_COLUMNS)
    path = tmp_path / "ages.csv"
    path.write_text(f"{head}\nA81001,,gp,partner,1,2009,,2025-01-01,,\nA81001,,gp,partner,1,1935,,2025-01-01,,\n")
    assert read_register(path).staff["birth_year"].tolist() == [2009, 1935]


def test_end_before_start_duplicates_and_missing_columns(tmp_path: Path) -> None:
    head = ",".join(STAFF_COLUMNS)
    cases = {
        "A81001,,gp,partner,1,1970,,2025-01-01,2024-12-31,other": (3, "end_date"),
        "A81001,,gp,partner,1,1970,,2020-01-01,,": (3, None),  # the same as row 2
    }
    for line, where in cases.items():
        path = tmp_path / "x.csv"
        path.write_text(f"{head}\nA81001,,gp,partner,1,1970,,2020-01-01,,\n{line}\n")
        with pytest.raises(IngestError) as err:
            read_register(path)
        assert (err.value.row, err.value.column) == where
    path = tmp_path / "cols.csv"
    path.write_text("employer,role,fte\nA81001,gp,1\n")
    with pytest.raises(IngestError, match=r"cols.csv: row 1, column contract_type: column is missing"):
        read_register(path)


def test_employer_option_fills_blank_employers_and_template_has_drop_downs(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "template.xlsx"
    path.write_bytes(register_workbook())
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Instructions", "Staff", "Vacancies", "Lists"] and book["Lists"].sheet_state == "hidden"
    checks = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in book["Staff"].data_validations.dataValidation}
    assert checks["C"] == f"Lists!$A$2:$A${len(ROLE_CODES) + 1}"  # role
    assert checks["D"].startswith("Lists!$B$2") and checks["J"].startswith("Lists!$D$2")  # contract, reason
    staff = book["Staff"]
    staff.append([None, "P1", "gp", "partner", 1, 1970, None, date(2024, 4, 1), None, None])
    book.save(path)
    read = read_register(path, employer="a81001")
    assert read.staff["employer"].tolist() == ["A81001"] and read.staff["start_date"].tolist() == [date(2024, 4, 1)]
    with pytest.raises(IngestError, match=r"sheet Staff.*row 2, column employer"):
        read_register(path)
