"""Bad input: every failure names the file, the 1-based row (header = 1) and the published column.

File-level faults (empty file, truncated gzip) have no column; for those the row is the
line where the data stops.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_synth import (
    CROSSTAB_HEADER,
    MAPPING_HEADER,
    PATIENTS_HEADER,
    PCN_HEADER,
    crosstab_row,
    mapping_row,
    patients_rows,
    pcn_row,
    write_csv,
)

from gpworkforce.ingest import IngestError, read_appointments, read_patients, read_pcn_workforce
from gpworkforce.nomenclature import AGE_BANDS

COUNTS = {("FEMALE", b): 3 for b in AGE_BANDS} | {("MALE", b): 2 for b in AGE_BANDS}


def _patients(tmp_path: Path, name: str = "patients.csv") -> tuple[Path, list[list[object]]]:
    rows = patients_rows({"A00001": COUNTS, "A00002": COUNTS})
    return write_csv(tmp_path / name, PATIENTS_HEADER, rows), rows


def _fails(call: Callable[[Path], object], path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        call(path)
    return info.value


def test_mapping_file_passed_as_patients(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gp-reg-pat-prac-map.csv", MAPPING_HEADER, [mapping_row("A00001")])
    err = _fails(read_patients, path)
    text = str(err)
    assert text.startswith("gp-reg-pat-prac-map.csv: row 1, column ORG_TYPE: ")
    assert "looks like a practice mapping file (kind 'mapping')" in text
    assert (err.row, err.column) == (1, "ORG_TYPE")


def test_pcn_file_passed_as_appointments(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "pcn.csv", PCN_HEADER, [pcn_row("U00001", "Pharmacists", 1, 1)])
    err = _fails(read_appointments, path)
    assert "looks like a PCN workforce individual-level file" in str(err)
    assert err.row == 1 and err.column is not None


def test_renamed_column_is_named_with_a_hint(tmp_path: Path) -> None:
    header = [h if h != "NUMBER_OF_PATIENTS" else "NUMBER_OF_PATIENT" for h in PATIENTS_HEADER]
    path = write_csv(tmp_path / "patients.csv", header, patients_rows({"A00001": COUNTS}))
    err = _fails(read_patients, path)
    assert str(err).startswith(
        "patients.csv: row 1, column NUMBER_OF_PATIENTS: required column NUMBER_OF_PATIENTS "
        "is missing; did you mean 'NUMBER_OF_PATIENT'"
    )
    assert "found columns: PUBLICATION, EXTRACT_DATE" in str(err)


def test_missing_column(tmp_path: Path) -> None:
    header = [h for h in PATIENTS_HEADER if h != "SEX"]
    rows = [[v for i, v in enumerate(r) if PATIENTS_HEADER[i] != "SEX"] for r in patients_rows({"A00001": COUNTS})]
    err = _fails(read_patients, write_csv(tmp_path / "patients.csv", header, rows))
    assert (err.file, err.row, err.column) == ("patients.csv", 1, "SEX")
    assert "required column SEX is missing" in str(err)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "'abc' is not a whole number"),
        ("-4", "'-4' is negative"),
        ("", "empty value; expected a whole number"),
        ("2.5", "'2.5' is not a whole number"),
    ],
)
def test_bad_count(tmp_path: Path, value: str, message: str) -> None:
    rows = patients_rows({"A00001": COUNTS, "A00002": COUNTS})
    rows[15][8] = value
    err = _fails(read_patients, write_csv(tmp_path / "patients.csv", PATIENTS_HEADER, rows))
    assert str(err) == f"patients.csv: row 17, column NUMBER_OF_PATIENTS: {message}"
    assert (err.row, err.column, err.problem) == (17, "NUMBER_OF_PATIENTS", message)


def test_several_bad_counts_are_listed_together(tmp_path: Path) -> None:
    rows = patients_rows({"A00001": COUNTS, "A00002": COUNTS})
    for i in (30, 10, 20):
        rows[i][8] = "x"
    rows[12][6] = "BOTH"
    err = _fails(read_patients, write_csv(tmp_path / "patients.csv", PATIENTS_HEADER, rows))
    assert [(p.row, p.column) for p in err.problems] == [
        (12, "NUMBER_OF_PATIENTS"),
        (14, "SEX"),
        (22, "NUMBER_OF_PATIENTS"),
        (32, "NUMBER_OF_PATIENTS"),
    ]
    assert str(err).count("\n") == 3


def test_empty_file_zero_bytes(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_bytes(b"")
    err = _fails(read_patients, path)
    assert str(err) == "patients.csv: row 1: file is empty (0 bytes); expected a CSV header"
    assert err.column is None


def test_header_only_file(tmp_path: Path) -> None:
    err = _fails(read_patients, write_csv(tmp_path / "patients.csv.gz", PATIENTS_HEADER, [], gz=True))
    assert str(err) == "patients.csv.gz: row 2: no data rows after the header"


def test_unknown_national_category(tmp_path: Path) -> None:
    rows = [crosstab_row("A00001", "GP", "Telephone", "Clinical Triage", "1 Day", 3, "Attended")] * 3
    rows = [*rows, crosstab_row("A00001", "GP", "Telephone", "Clinical Triages", "1 Day", 3, "Attended")]
    err = _fails(read_appointments, write_csv(tmp_path / "crosstab.csv", CROSSTAB_HEADER, rows))
    assert (err.row, err.column) == (5, "NATIONAL_CATEGORY")
    assert str(err).startswith(
        "crosstab.csv: row 5, column NATIONAL_CATEGORY: 'Clinical Triages' is not a known national category"
    )


def test_unknown_staff_role(tmp_path: Path) -> None:
    rows = [pcn_row("U00001", "Pharmacists", 1, 1), pcn_row("U00001", "Astronauts", 1, 2)]
    err = _fails(read_pcn_workforce, write_csv(tmp_path / "pcn.csv", PCN_HEADER, rows))
    assert (err.row, err.column) == (3, "STAFF_ROLE")
    assert str(err).startswith("pcn.csv: row 3, column STAFF_ROLE: 'Astronauts' is not a known PCN staff role")


def test_truncated_gzip(tmp_path: Path) -> None:
    source, rows = _patients(tmp_path)
    data = gzip.compress(source.read_bytes())
    path = tmp_path / "patients.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    err = _fails(read_patients, path)
    assert err.file == "patients.csv.gz"
    assert err.row is not None and 2 <= err.row <= len(rows) + 1
    assert str(err).startswith(f"patients.csv.gz: row {err.row}: compressed data ends unexpectedly")


def test_not_a_csv_at_all(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_bytes(b"\xff\xfe\x00\x01binary")
    err = _fails(read_patients, path)
    assert err.file == "patients.csv" and err.row == 1


def test_missing_file(tmp_path: Path) -> None:
    err = _fails(read_patients, tmp_path / "nope.csv")
    assert "file not found" in str(err)
