"""Property tests: random valid files keep their totals and yield canonical codes only; one
bad cell anywhere gives an IngestError pointing at exactly that row and column."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_synth import (
    CROSSTAB_HEADER,
    HCP_LABELS,
    INTERVAL_LABELS,
    PATIENTS_HEADER,
    PCN_HEADER,
    STATUS_LABELS,
    crosstab_row,
    patients_rows,
    pcn_row,
    write_csv,
)

from gpworkforce.ingest import IngestError, read_pcn_workforce, read_practice_crosstab
from gpworkforce.ingest.appointments import CATEGORY_CODES
from gpworkforce.ingest.patients import read_patients
from gpworkforce.nomenclature import (
    AGE_BANDS,
    APPT_MODES,
    APPT_STATUSES,
    BOOKING_INTERVALS,
    HCP_TYPES,
    NHS_CATEGORY_TO_CODE,
    PCN_STAFF_ROLE_TO_ROLE,
    ROLE_CODES,
    SEXES,
)

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_counter = itertools.count()

practice_codes = st.from_regex(r"[A-Y][0-9]{5}", fullmatch=True)


def _file(tmp_path: Path, stem: str, header: list[str], rows: list[list[Any]], gz: bool) -> Path:
    suffix = ".csv.gz" if gz else ".csv"
    return write_csv(tmp_path / f"{stem}-{next(_counter)}{suffix}", header, rows, gz=gz)


# --- patients ----------------------------------------------------------------------------


@st.composite
def patients_files(draw: st.DrawFn) -> tuple[dict[str, dict[tuple[str, str], int]], list[list[Any]], bool]:
    codes = draw(st.lists(practice_codes, min_size=1, max_size=4, unique=True))
    cells = [(sex, band) for sex in ("FEMALE", "MALE") for band in AGE_BANDS]
    counts = {
        code: dict(zip(cells, draw(st.lists(st.integers(0, 5000), min_size=40, max_size=40)), strict=True))
        for code in codes
    }
    rows = patients_rows(
        counts,
        extract=draw(st.sampled_from(["2026-07-01", "01Jul2026", "01JUL2026"])),
        with_sex_totals=draw(st.booleans()),
    )
    return counts, draw(st.permutations(rows)), draw(st.booleans())


@SETTINGS
@given(case=patients_files())
def test_patients_totals_and_codes(tmp_path: Path, case: tuple[dict[str, Any], list[list[Any]], bool]) -> None:
    counts, rows, gz = case
    result = read_patients(_file(tmp_path, "patients", PATIENTS_HEADER, rows, gz))
    frame = result.frame
    assert result.period == "2026-07"
    assert frame["patients"].sum() == sum(sum(c.values()) for c in counts.values())
    female = sum(v for c in counts.values() for (s, _), v in c.items() if s == "FEMALE")
    assert frame.loc[frame["sex"] == "female", "patients"].sum() == female
    assert set(frame["practice_code"]) == set(counts)
    assert set(frame["sex"]) <= set(SEXES) and set(frame["age_band"]) <= set(AGE_BANDS)
    assert len(frame) == len(counts) * 40


@SETTINGS
@given(case=patients_files(), data=st.data())
def test_patients_bad_cell_is_located_exactly(
    tmp_path: Path, case: tuple[dict[str, Any], list[list[Any]], bool], data: st.DataObject
) -> None:
    _, rows, gz = case
    any_row = [
        ("NUMBER_OF_PATIENTS", "abc"),
        ("NUMBER_OF_PATIENTS", "-1"),
        ("NUMBER_OF_PATIENTS", ""),
        ("NUMBER_OF_PATIENTS", "0.5"),
        ("EXTRACT_DATE", "sometime"),
    ]
    gp_only = [("SEX", "UNKNOWN"), ("AGE_GROUP_5", "100_104"), ("ORG_CODE", "")]
    index = data.draw(st.integers(0, len(rows) - 1), label="row")
    choices = any_row + (gp_only if rows[index][2] == "GP" else [])
    column, value = data.draw(st.sampled_from(choices), label="cell")
    bad = [list(r) for r in rows]
    bad[index][PATIENTS_HEADER.index(column)] = value
    try:
        read_patients(_file(tmp_path, "patients", PATIENTS_HEADER, bad, gz))
    except IngestError as err:
        assert (err.row, err.column) == (index + 2, column), str(err)
        assert f"row {index + 2}, column {column}" in str(err)
    else:
        raise AssertionError("bad cell was accepted")


# --- appointments ------------------------------------------------------------------------

CATEGORY_LABELS = [*NHS_CATEGORY_TO_CODE, "Inconsistent Mapping", "Unmapped", "clinical  triage", "WALK-IN"]
CROSSTAB_MODES = ["Face-to-Face", "Telephone", "Video Conference/Online", "Video/Online", "Home Visit", "Unknown"]

crosstab_rows = st.lists(
    st.tuples(
        st.sampled_from(["A00001", "B00002", "C00003"]),
        st.sampled_from(HCP_LABELS),
        st.sampled_from(CROSSTAB_MODES),
        st.sampled_from(CATEGORY_LABELS),
        st.sampled_from(INTERVAL_LABELS),
        st.integers(0, 100_000),
        st.sampled_from(STATUS_LABELS),
    ),
    min_size=1,
    max_size=60,
    # A row repeating every label is a duplicated row (refused); labels spelt differently are summed.
    unique_by=lambda r: (r[0], r[1], r[2], r[3], r[4], r[6]),
)


@SETTINGS
@given(rows=crosstab_rows, gz=st.booleans())
def test_crosstab_totals_and_codes(tmp_path: Path, rows: list[tuple[Any, ...]], gz: bool) -> None:
    path = _file(tmp_path, "crosstab", CROSSTAB_HEADER, [crosstab_row(*r) for r in rows], gz)
    frame = read_practice_crosstab(path).frame
    assert frame["appointments"].sum() == sum(r[5] for r in rows)
    dna = sum(r[5] for r in rows if r[6] == "DNA")
    assert frame.loc[frame["status"] == "dna", "appointments"].sum() == dna
    assert set(frame["hcp_type"]) <= set(HCP_TYPES)
    assert set(frame["mode"]) <= set(APPT_MODES)
    assert set(frame["category"]) <= set(CATEGORY_CODES)
    assert set(frame["interval"]) <= set(BOOKING_INTERVALS)
    assert set(frame["status"]) <= set(APPT_STATUSES)
    assert not frame.duplicated(list(frame.columns[:-1])).any()


@SETTINGS
@given(rows=crosstab_rows, data=st.data())
def test_crosstab_bad_cell_is_located_exactly(tmp_path: Path, rows: list[tuple[Any, ...]], data: st.DataObject) -> None:
    cells = [
        ("COUNT_OF_APPOINTMENTS", "x"),
        ("COUNT_OF_APPOINTMENTS", "-3"),
        ("COUNT_OF_APPOINTMENTS", ""),
        ("NATIONAL_CATEGORY", "Not A Category"),
        ("HCP_TYPE", "Doctor"),
        ("APPT_MODE", "Carrier pigeon"),
        ("TIME_BETWEEN_BOOK_AND_APPT", "Yesterday"),
        ("APPT_STATUS", "Maybe"),
        ("APPOINTMENT_MONTH_START_DATE", "someday"),
        ("GP_CODE", " "),
    ]
    written = [crosstab_row(*r) for r in rows]
    index = data.draw(st.integers(0, len(written) - 1), label="row")
    column, value = data.draw(st.sampled_from(cells), label="cell")
    written[index][CROSSTAB_HEADER.index(column)] = value
    try:
        read_practice_crosstab(_file(tmp_path, "crosstab", CROSSTAB_HEADER, written, False))
    except IngestError as err:
        assert (err.row, err.column) == (index + 2, column), str(err)
    else:
        raise AssertionError("bad cell was accepted")


# --- PCN workforce -----------------------------------------------------------------------

pcn_rows = st.lists(
    st.tuples(
        st.sampled_from(["U00001", "U00002", "U00003"]),
        st.sampled_from(sorted(PCN_STAFF_ROLE_TO_ROLE)),
        st.integers(0, 200).map(lambda n: n / 100),
        st.one_of(st.just(""), st.integers(1, 15).map(str)),
    ),
    min_size=1,
    max_size=50,
)


@SETTINGS
@given(rows=pcn_rows)
def test_pcn_totals_and_codes(tmp_path: Path, rows: list[tuple[Any, ...]]) -> None:
    frame = read_pcn_workforce(_file(tmp_path, "pcn", PCN_HEADER, [pcn_row(*r) for r in rows], True)).frame
    assert abs(frame["fte"].sum() - sum(r[2] for r in rows)) < 1e-9
    assert set(frame["role"]) <= set(ROLE_CODES)
    expected: dict[tuple[str, str], set[str]] = {}
    for pcn, role, _, person in rows:
        people = expected.setdefault((pcn, role), set())
        if person:
            people.add(person)
    got = {(r["pcn_code"], r["staff_role"]): r["headcount"] for r in frame.to_dict("records")}
    assert got == {k: len(v) for k, v in expected.items()}


@SETTINGS
@given(rows=pcn_rows, data=st.data())
def test_pcn_bad_cell_is_located_exactly(tmp_path: Path, rows: list[tuple[Any, ...]], data: st.DataObject) -> None:
    written = [pcn_row(*r) for r in rows]
    index = data.draw(st.integers(0, len(written) - 1), label="row")
    cells = [
        ("STAFF_ROLE", "Wizards"),
        ("FTE", "x"),
        ("FTE", "-0.5"),
        ("FTE", ""),
        ("CENSUS_MONTH", "13"),
        ("CENSUS_YEAR", "twenty"),
        ("PCN_CODE", ""),
    ]
    if index > 0:
        cells.append(("CENSUS_MONTH", "7"))  # a second census month (the first row sets the month)
    column, value = data.draw(st.sampled_from(cells), label="cell")
    written[index][PCN_HEADER.index(column)] = value
    try:
        read_pcn_workforce(_file(tmp_path, "pcn", PCN_HEADER, written, False))
    except IngestError as err:
        assert (err.row, err.column) == (index + 2, column), str(err)
    else:
        raise AssertionError("bad cell was accepted")
