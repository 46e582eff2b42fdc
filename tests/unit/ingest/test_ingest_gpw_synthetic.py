"""NHS England GP Workforce "Practice Level - Detailed" CSV reader, tested on SYNTHETIC files.

There is no real file of this kind in the shared data (too large to include). These tests
write a small synthetic CSV whose header is exactly the ``Name of Field`` column of NHS
England's definitions workbook, in workbook order (805 fields for the 2023+ layout, 657 for
the September 2019 layout), fill in made-up numbers, and check the reader against them.
The workbooks are read from the shared data folder, so these tests skip without it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest
from ingest_synth import write_csv

from gpworkforce.ingest import IngestError, read_any, read_gpw_practice, sniff
from gpworkforce.ingest.workforce import GP_AGE_BANDS

pytestmark = pytest.mark.shared_data

DETAILED = "gpw-practice-detailed-definitions_2025-11.xlsx"
OLD = "gpw-practice-definitions_2019-09.xlsx"
AGE_SUFFIXES = [
    "UNDER30",
    "30TO34",
    "35TO39",
    "40TO44",
    "45TO49",
    "50TO54",
    "55TO59",
    "60TO64",
    "65TO69",
    "70PLUS",
    "UNKNOWN_AGE",
]


@lru_cache(maxsize=4)
def field_names(workbook: Path) -> list[str]:
    """The ``Name of Field`` column, in order (cached: openpyxl is slow)."""
    sheet = openpyxl.load_workbook(workbook, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    column = list(rows[0]).index("Name of Field")
    return [str(r[column]).strip() for r in rows[1:] if r[column]]


def synthetic_rows(header: list[str], values: dict[str, dict[str, object]]) -> list[list[object]]:
    """One row per practice: given values, else text filler for text fields and 0 for numbers."""
    rows = []
    for code, given in values.items():
        row: list[object] = []
        for name in header:
            if name == "PRAC_CODE":
                row.append(code)
            elif name in given:
                row.append(given[name])
            elif name.endswith(("_NAME", "_CODE", "_SOURCE")) or name == "CONTRACT":
                row.append("Synthetic")
            else:
                row.append(0)
        rows.append(row)
    return rows


def _values(qualified: str) -> dict[str, dict[str, object]]:
    ages = dict(zip([f"TOTAL_GP_HC_{s}" for s in AGE_SUFFIXES], [0, 1, 1, 2, 0, 1, 1, 0, 0, 0, 1], strict=True))
    return {
        "A00001": {
            "TOTAL_GP_FTE": 5.5,
            f"TOTAL_GP_{qualified}_FTE": 4.0,
            "TOTAL_GP_HC": 7,
            f"TOTAL_GP_{qualified}_HC": 5,
            "TOTAL_NURSES_FTE": 2.0,
            "TOTAL_NURSES_HC": 3,
            "TOTAL_DPC_FTE": 1.2,
            "TOTAL_DPC_HC": 2,
            "TOTAL_ADMIN_FTE": 8.4,
            "TOTAL_ADMIN_HC": 11,
            **ages,
        },
        "A00002": {
            "TOTAL_GP_FTE": 3,
            f"TOTAL_GP_{qualified}_FTE": 3,
            "TOTAL_GP_HC": 3,
            f"TOTAL_GP_{qualified}_HC": 3,
            "TOTAL_NURSES_FTE": "NA",
            "TOTAL_NURSES_HC": "NA",
            "TOTAL_DPC_FTE": 0,
            "TOTAL_DPC_HC": 0,
            "TOTAL_ADMIN_FTE": 4,
            "TOTAL_ADMIN_HC": 5,
            "TOTAL_GP_HC_40TO44": 2,
            "TOTAL_GP_HC_60TO64": 1,
        },
        "A00003": {
            "TOTAL_GP_FTE": "ND",
            f"TOTAL_GP_{qualified}_FTE": "ND",
            "TOTAL_GP_HC": "ND",
            f"TOTAL_GP_{qualified}_HC": "ND",
            "TOTAL_NURSES_FTE": 1,
            "TOTAL_NURSES_HC": 1,
            "TOTAL_DPC_FTE": 0,
            "TOTAL_DPC_HC": 0,
            "TOTAL_ADMIN_FTE": 2,
            "TOTAL_ADMIN_HC": 2,
            **{f"TOTAL_GP_HC_{s}": "ND" for s in AGE_SUFFIXES},
        },
    }


@pytest.mark.parametrize(
    ("workbook", "qualified", "file_name", "period"),
    [
        (DETAILED, "EXTGL", "1 General Practice – November 2025 Practice Level - Detailed.csv", "2025-11"),
        (OLD, "EXRL", "General Practice September 2019 Practice Level.csv", "2019-09"),
    ],
)
def test_gpw_detailed_csv_from_definitions(
    shared_data: Path, tmp_path: Path, workbook: str, qualified: str, file_name: str, period: str
) -> None:
    header = list(field_names(shared_data / workbook))
    assert header[0] == "PRAC_CODE" and f"TOTAL_GP_{qualified}_FTE" in header
    path = write_csv(tmp_path / file_name, header, synthetic_rows(header, _values(qualified)))
    assert sniff(path) == "workforce"
    workforce, gp_age = read_gpw_practice(path)
    assert workforce.kind == "workforce" and gp_age.kind == "gp_age"
    assert workforce.period == period == gp_age.period
    records = {(r["practice_code"], r["staff"]): (r["fte"], r["headcount"]) for r in workforce.frame.to_dict("records")}
    assert records[("A00001", "gp")] == (4.0, 5.0)
    assert records[("A00001", "gp_locum_trainee")] == (1.5, 2.0)
    assert records[("A00001", "nurse")] == (2.0, 3.0)
    assert records[("A00001", "dpc")] == (1.2, 2.0)
    assert records[("A00001", "admin")] == (8.4, 11.0)
    assert records[("A00002", "dpc")] == (0.0, 0.0)
    # NA / ND mean "no valid records": missing, not zero.
    assert ("A00002", "nurse") not in records
    assert ("A00003", "gp") not in records and ("A00003", "gp_locum_trainee") not in records
    assert list(workforce.frame["staff"][:5]) == ["gp", "gp_locum_trainee", "nurse", "dpc", "admin"]
    ages = gp_age.frame
    assert set(ages["practice_code"]) == {"A00001", "A00002"}
    a1 = ages[ages["practice_code"] == "A00001"]
    assert list(a1["age_band"]) == list(GP_AGE_BANDS)
    assert a1["headcount"].sum() == 7
    assert read_any(path, "gp_age").frame.equals(ages)
    assert read_any(path).kind == "workforce"


def test_gpw_period_argument_and_bad_value(shared_data: Path, tmp_path: Path) -> None:
    header = list(field_names(shared_data / DETAILED))
    rows = synthetic_rows(header, _values("EXTGL"))
    path = write_csv(tmp_path / "practice-detailed.csv", header, rows)
    assert read_gpw_practice(path)[0].period is None
    assert read_gpw_practice(path, period="2025-11")[0].period == "2025-11"
    rows[1][header.index("TOTAL_NURSES_FTE")] = "lots"
    with pytest.raises(IngestError) as info:
        read_gpw_practice(write_csv(tmp_path / "bad.csv", header, rows))
    assert (info.value.row, info.value.column) == (3, "TOTAL_NURSES_FTE")
