"""Damaged or absurd files are refused with the file, line and column (issue 11).

Each test stands for a file that was once accepted: a file cut mid-line, ``1e308`` as an FTE,
an IMD score or a count, a 100 MB "practice name", a projection missing a year, a QOF file
whose name carries no year, a duplicated row summed.
"""

from __future__ import annotations

import gzip
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_synth import (
    CROSSTAB_HEADER,
    HEEC_HEADER,
    MAPPING_HEADER,
    PCN_HEADER,
    crosstab_row,
    mapping_row,
    pcn_row,
    write_csv,
)

from gpworkforce.ingest import (
    IngestError,
    read_heec_workforce,
    read_imd,
    read_mapping,
    read_pcn_workforce,
    read_population_projection,
    read_practice_crosstab,
    read_qof,
)
from gpworkforce.ingest.errors import PROBLEM_CHARS
from gpworkforce.ingest.files import MAX_CELL_CHARS, MAX_LINE_BYTES
from gpworkforce.ingest.problems import ECHO_CHARS, clip
from gpworkforce.nomenclature import AGE_BANDS
from gpworkforce.reference import import_ranges

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
IMD_HEADER = ["PRACTICE_CODE", "PRACTICE_NAME", "IMD_YEAR", "IMD_SCORE"]
QOF_HEADER = ["PRACTICE_CODE", "GROUP_CODE", "REGISTER", "PATIENT_LIST_TYPE", "PRACTICE_LIST_SIZE"]


def heec_row(code: str, gp_fte: object = "3.5") -> list[object]:
    return [code, 2025, "ICB", 9000, gp_fte, 1, 2, 3, 5, 4, 1, 2, 3, 6, 20.1, 3]


def _fails(read: Any, path: Path) -> IngestError:
    with pytest.raises(IngestError) as info:
        read(path)
    return info.value


# --- a file cut short ----------------------------------------------------------------------


@SETTINGS
@given(cut=st.integers(1, 30), gz=st.booleans())
def test_a_file_cut_mid_line_is_refused_at_its_last_line(tmp_path: Path, cut: int, gz: bool) -> None:
    """A workforce file cut inside its last line (the FTE ``3.5`` could read as ``3.``) is refused."""
    rows = [heec_row(f"A{i:05d}") for i in range(5)]
    whole = write_csv(tmp_path / "heec.csv", HEEC_HEADER, rows).read_bytes()
    data = whole[: -1 - (cut % (len(whole.splitlines()[-1]) - 1))]  # inside the last line, never at its end
    path = tmp_path / ("cut.csv.gz" if gz else "cut.csv")
    path.write_bytes(gzip.compress(data, mtime=0) if gz else data)
    err = _fails(read_heec_workforce, path)
    assert err.row == 6  # header (line 1) + 5 data lines: the cut one is line 6
    assert "ends in the middle of a line" in str(err) and path.name in str(err)


def test_the_whole_file_with_its_final_line_break_is_read(tmp_path: Path) -> None:
    rows = [heec_row(f"A{i:05d}") for i in range(5)]
    result = read_heec_workforce(write_csv(tmp_path / "heec.csv", HEEC_HEADER, rows))
    assert result.frame["practice_code"].nunique() == 5


# --- numbers beyond any plausible value -----------------------------------------------------


def _beyond(kind: str, measure: str) -> st.SearchStrategy[str]:
    """Text of a number above the plausible range of (kind, measure), up to 1e308."""
    high = import_ranges()[(kind, measure)][1]
    return st.floats(min_value=high * 1.001 + 1, max_value=1e308).map(repr) | st.just("1e308")


@SETTINGS
@given(value=_beyond("workforce", "fte"), row=st.integers(0, 3))
def test_absurd_fte_is_refused_at_its_cell(tmp_path: Path, value: str, row: int) -> None:
    rows = [heec_row(f"A{i:05d}") for i in range(4)]
    rows[row][4] = value
    err = _fails(read_heec_workforce, write_csv(tmp_path / "heec.csv", HEEC_HEADER, rows))
    assert (err.row, err.column) == (row + 2, "TOTAL_GP_EXTGL_FTE")
    assert "plausible range" in str(err) or "too large" in str(err)


@SETTINGS
@given(value=_beyond("imd", "imd_score"))
def test_absurd_imd_score_is_refused(tmp_path: Path, value: str) -> None:
    rows = [["A00001", "X", 2025, "20.5"], ["A00002", "Y", 2025, value]]
    err = _fails(read_imd, write_csv(tmp_path / "imd.csv", IMD_HEADER, rows))
    assert (err.row, err.column) == (3, "IMD_SCORE")


@SETTINGS
@given(value=_beyond("qof", "register"))
def test_absurd_qof_register_is_refused(tmp_path: Path, value: str) -> None:
    rows = [["A00001", "AF", value, "TOTAL", "9000"], ["A00001", "DM", "300.0", "17OV", "7000"]]
    err = _fails(read_qof, write_csv(tmp_path / "PREVALENCE_2425.csv", QOF_HEADER, rows))
    assert (err.row, err.column) == (2, "REGISTER")


@SETTINGS
@given(value=_beyond("appointments", "appointments"))
def test_absurd_appointment_count_is_a_message_not_a_traceback(tmp_path: Path, value: str) -> None:
    """``COUNT_OF_APPOINTMENTS=1e308`` once failed with "integer out of range" at an internal index."""
    rows = [crosstab_row("A00001", "GP", "Telephone", "Clinical Triage", "Same Day", 5, "Attended")]
    rows.append(crosstab_row("A00002", "GP", "Telephone", "Clinical Triage", "Same Day", value, "Attended"))
    err = _fails(read_practice_crosstab, write_csv(tmp_path / "crosstab.csv", CROSSTAB_HEADER, rows))
    assert (err.row, err.column) == (3, "COUNT_OF_APPOINTMENTS")


def test_absurd_pcn_fte_is_refused(tmp_path: Path) -> None:
    rows = [pcn_row("U00001", "Pharmacists", "1", "1"), pcn_row("U00001", "Pharmacists", "1e308", "2")]
    err = _fails(read_pcn_workforce, write_csv(tmp_path / "pcn.csv", PCN_HEADER, rows))
    assert (err.row, err.column) == (3, "FTE")


# --- cells too long to be a published value ------------------------------------------------


def test_a_huge_cell_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A 40 MB "practice name" is refused by line length, naming line and column, in bounded memory."""
    path = write_csv(tmp_path / "mapping.csv", MAPPING_HEADER, [mapping_row("A00001"), mapping_row("A00002")])
    huge = mapping_row("A00003")
    with path.open("a") as fh:
        fh.write(
            ",".join(str(v) for v in huge[:3]) + "," + "N" * 40_000_000 + "," + ",".join(map(str, huge[4:])) + "\n"
        )
    tracemalloc.start()
    started = time.perf_counter()
    err = _fails(read_mapping, path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (err.row, err.column) == (4, "PRACTICE_NAME")
    assert f"longer than {MAX_LINE_BYTES:,} bytes" in str(err)
    assert len(str(err)) < 600
    assert peak < 12 * MAX_LINE_BYTES, f"peak {peak:,} bytes"
    assert elapsed < 20  # generous: the scan is a few chunks; the old reader took minutes


def test_a_huge_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "heec.csv"
    path.write_text(
        ",".join(HEEC_HEADER) + "X" * (2 * MAX_LINE_BYTES) + "\n" + ",".join(map(str, heec_row("A00001"))) + "\n"
    )
    err = _fails(read_heec_workforce, path)
    assert err.row == 1 and "header is longer" in str(err) and len(str(err)) < 300


def test_a_long_cell_is_refused_and_echoed_clipped(tmp_path: Path) -> None:
    name = "Z" * (MAX_CELL_CHARS + 1)
    row = mapping_row("A00002")
    row[3] = name
    err = _fails(read_mapping, write_csv(tmp_path / "mapping.csv", MAPPING_HEADER, [mapping_row("A00001"), row]))
    assert (err.row, err.column) == (3, "PRACTICE_NAME")
    assert name not in str(err) and f"({len(name):,} characters)" in str(err)


def test_a_long_bad_number_is_echoed_clipped(tmp_path: Path) -> None:
    value = "9" * 300 + "x"
    rows = [heec_row("A00001"), heec_row("A00002", value)]
    err = _fails(read_heec_workforce, write_csv(tmp_path / "heec.csv", HEEC_HEADER, rows))
    assert (err.row, err.column) == (3, "TOTAL_GP_EXTGL_FTE")
    assert value not in str(err) and "(301 characters)" in str(err)


def test_clip_keeps_short_values_and_names_the_length_of_long_ones() -> None:
    assert clip("abc") == "abc"
    long = "x" * 5000
    assert len(clip(long)) <= ECHO_CHARS + 30 and clip(long).endswith("(5,000 characters)")
    assert len(IngestError("f.csv", "y" * 10_000).problems[0].describe()) <= PROBLEM_CHARS + 30


# --- every expected column; duplicates; the period ------------------------------------------


def _projection(years: list[int]) -> list[list[object]]:
    rows: list[list[object]] = []
    for sex in ("Females", "Males"):
        for band in AGE_BANDS:
            low = int(band.split("_")[0].rstrip("+"))
            label = "95 - 99" if band.endswith("+") else f"{low} - {low + 4}"
            rows.append([sex, label, *[1000 + y for y in years]])
    return rows


def test_a_projection_missing_a_year_column_is_refused(tmp_path: Path) -> None:
    """Without its 2030 column the projection gave England GP demand in 2030 1.5% lower."""
    years = [y for y in range(2022, 2036) if y != 2030]
    path = write_csv(tmp_path / "ons.csv", ["Sex", "Age", *map(str, years)], _projection(years))
    err = _fails(read_population_projection, path)
    assert (err.row, err.column) == (1, "2030") and "2030" in str(err)
    full = list(range(2022, 2036))
    ok = read_population_projection(
        write_csv(tmp_path / "ons2.csv", ["Sex", "Age", *map(str, full)], _projection(full))
    )
    assert sorted(ok.frame["year"].unique()) == full


def test_a_qof_file_without_a_year_in_its_name_is_a_message(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "prevalence.csv", QOF_HEADER, [["A00001", "AF", "10.0", "TOTAL", "9000"]])
    err = _fails(read_qof, path)
    assert "prevalence.csv" in str(err) and "QOF year" in str(err)
    assert read_qof(path, "2024-25").period == "2024-25"


@SETTINGS
@given(repeat=st.integers(0, 2), at=st.integers(0, 3))
def test_a_duplicated_crosstab_row_is_refused_not_summed(tmp_path: Path, repeat: int, at: int) -> None:
    rows = [
        crosstab_row("A00001", "GP", "Telephone", "Clinical Triage", "Same Day", 5, "Attended"),
        crosstab_row("A00001", "GP", "Face-to-Face", "Clinical Triage", "Same Day", 6, "Attended"),
        crosstab_row("A00002", "GP", "Telephone", "Planned Clinics", "1 Day", 7, "DNA"),
    ]
    rows.insert(at, list(rows[repeat]))
    err = _fails(read_practice_crosstab, write_csv(tmp_path / "crosstab.csv", CROSSTAB_HEADER, rows))
    first, second = sorted(i for i, r in enumerate(rows) if r == rows[at])
    assert err.row == second + 2 and f"first seen on row {first + 2}" in str(err)


def test_labels_spelt_two_ways_are_summed_and_counted(tmp_path: Path) -> None:
    rows = [
        crosstab_row("A00001", "GP", "Video/Online", "Clinical Triage", "Same Day", 5, "Attended"),
        crosstab_row("A00001", "GP", "Video Conference/Online", "Clinical Triage", "Same Day", 6, "Attended"),
    ]
    result = read_practice_crosstab(write_csv(tmp_path / "crosstab.csv", CROSSTAB_HEADER, rows))
    assert result.frame["appointments"].tolist() == [11]
    assert any("summed 1 rows" in n for n in result.notes)


def test_pcn_rows_repeated_by_the_publisher_are_summed_with_the_count_in_the_notes(tmp_path: Path) -> None:
    rows = [pcn_row("U00001", "Pharmacists", "0.5", ""), pcn_row("U00001", "Pharmacists", "0.5", "")]
    result = read_pcn_workforce(write_csv(tmp_path / "pcn.csv", PCN_HEADER, rows))
    assert result.frame["fte"].tolist() == [1.0]
    assert any(n.startswith("1 rows repeat another row exactly") for n in result.notes)
