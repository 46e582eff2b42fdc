"""IngestError formatting and the shared helpers the readers are built on."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from gpworkforce.ingest.cells import to_number
from gpworkforce.ingest.errors import IngestError, Problem
from gpworkforce.ingest.files import open_source, read_header
from gpworkforce.ingest.problems import ProblemLog
from gpworkforce.ingest.text import norm_key


def test_error_message_names_file_row_and_column() -> None:
    err = IngestError("patients.csv", "'abc' is not a whole number", row=17, column="NUMBER_OF_PATIENTS")
    assert str(err) == "patients.csv: row 17, column NUMBER_OF_PATIENTS: 'abc' is not a whole number"
    assert (err.file, err.row, err.column) == ("patients.csv", 17, "NUMBER_OF_PATIENTS")
    assert err.problems == [Problem(17, "NUMBER_OF_PATIENTS", "'abc' is not a whole number")]


def test_error_without_row_or_column() -> None:
    assert str(IngestError("x.csv", "file is empty")) == "x.csv: file is empty"
    assert str(IngestError("x.csv", "bad", column="C")) == "x.csv: column C: bad"


def test_many_problems_list_the_earliest_first_and_count_the_rest() -> None:
    problems = [Problem(row, "C", f"bad {row}") for row in range(30, 2, -1)]
    err = IngestError.from_problems("f.csv", problems, total=40)
    text = str(err)
    assert text.startswith("f.csv: row 3, column C: bad 3\n")
    assert err.row == 3 and err.column == "C"
    assert len(err.problems) == 28
    assert text.count("also row") == 9
    assert "and 30 more problem(s)" in text


def test_norm_key_ignores_case_spacing_and_dashes() -> None:
    assert norm_key("8  to 14 Days") == norm_key("8 to 14 days")
    assert norm_key("Unknown / Data Issue") == "unknown/data issue"
    assert norm_key("Applied Psychologists – Clinical") == norm_key("Applied Psychologists - Clinical")


def test_header_with_bom_and_gzip_detected_by_magic_bytes(tmp_path: Path) -> None:
    path = tmp_path / "no-extension"
    path.write_bytes(gzip.compress("\ufeffA,B\n1,2\n".encode()))
    assert read_header(path) == ["A", "B"]


def test_to_number_reports_each_kind_of_bad_cell() -> None:
    frame = pd.DataFrame({"n": ["1", "x", "", "-2", "1.5", "NA", " 7 ", "inf"]}, dtype=str)
    log = ProblemLog("f.csv")
    values = to_number(frame, "n", log, published="N", integer=True)
    messages = {p.row: p.message for p in log.items}
    assert messages == {
        3: "'x' is not a whole number",
        4: "empty value; expected a whole number",
        5: "'-2' is negative",
        6: "'1.5' is not a whole number",
        7: "'NA' is not a whole number",
        9: "'inf' is not a whole number",
    }
    assert values[0] == 1 and values[6] == 7


def test_missing_markers_become_nan_not_zero() -> None:
    frame = pd.DataFrame({"n": ["NA", "ND", "", "2.5"]}, dtype=str)
    log = ProblemLog("f.csv")
    values = to_number(frame, "n", log, published="N", integer=False, missing_markers=("NA", "ND"), allow_empty=True)
    assert not log
    assert values.isna().tolist() == [True, True, True, False]


def test_blank_lines_are_skipped_but_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("A,B\n1,2\n\n3,x\n")
    frame, _, _ = open_source(path, {"A": "a", "B": "b"}, ["a", "b"], kind="patients")
    assert list(frame.index) == [0, 2]
    log = ProblemLog(path.name)
    to_number(frame, "b", log, published="B", integer=True)
    assert [p.row for p in log.items] == [4]


def test_ragged_row_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("A,B\n1,2\n3,4,5\n")
    with pytest.raises(IngestError) as info:
        open_source(path, {"A": "a", "B": "b"}, ["a", "b"], kind="patients")
    assert info.value.row == 3
    assert "ragged.csv: row 3" in str(info.value)


def test_non_utf8_byte_is_located_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "imd.csv"
    path.write_bytes(b"PRACTICE_CODE,IMD_SCORE\r\nA00001,1.5\r\nA00002,2.5\r\nA00003,Caf\xe9\r\n")
    from gpworkforce.ingest import read_imd

    with pytest.raises(IngestError) as info:
        read_imd(path)
    assert str(info.value).startswith("imd.csv: row 4: not UTF-8 text")
