"""Unit: the Excel workbook (sheets, number formats, the notes sheet) from small hand-made tables."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import openpyxl
import pandas as pd
import pytest

from gpworkforce.reports import excel


@dataclass
class FakeSummary:
    values: dict[str, Any] = field(default_factory=lambda: {"year": 2030})

    def model_dump(self) -> dict[str, Any]:
        return dict(self.values)


@dataclass
class FakeReport:
    title: str = "Weekly appointment gap: Somewhere"
    org: dict[str, Any] = field(default_factory=lambda: {"code": "X1", "name": "Somewhere", "label": "Somewhere PCN"})
    summary: FakeSummary = field(default_factory=FakeSummary)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=lambda: ["first note", "second note"])

    def frames(self) -> dict[str, pd.DataFrame]:
        return self.tables


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _info(**kw: Any) -> excel.About:
    return excel.about(
        FakeReport(),
        kw.get("notes", ["first note", "second note"]),
        kw.get("scenario", {}),
        ("Web page", "http://x/org/X1"),
    )


ROLES = pd.DataFrame(
    {
        "role": ["gp", "nurse"],
        "fte": [2.5, float("nan")],
        "gap_share_of_demand": [0.1, -0.05],
        "patients_per_fte": [1800.0, 4000.0],
        "practices": [3, 3],
    }
)


def test_one_sheet_per_table_then_notes_with_formats() -> None:
    wb = _load(excel.workbook_bytes({"gap_roles": ROLES, "more": ROLES.head(1)}, _info()))
    assert wb.sheetnames == ["gap_roles", "more", "notes"]
    ws = wb["gap_roles"]
    assert [c.value for c in ws[1]] == list(ROLES.columns) and ws["A1"].font.b
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E3"
    assert ws["B2"].value == 2.5 and ws["B2"].number_format == "#,##0.00"
    assert ws["B3"].value is None  # NaN is an empty cell, not the text "nan"
    assert ws["C2"].number_format == "0.0%" and ws["D2"].number_format == "#,##0" and ws["E2"].number_format == "0"
    assert ws["A2"].number_format == "General"  # text columns get no number format


def test_notes_sheet_says_what_where_and_under_which_licence() -> None:
    wb = _load(excel.workbook_bytes({"gap_roles": ROLES}, _info(scenario={"year": "2030", "shift_share": "0.2"})))
    rows = [[c.value for c in row] for row in wb["notes"].iter_rows()]
    assert rows[0] == ["GP workforce planner", None]
    assert rows[1] == ["Table", "gap_roles"]
    assert rows[2] == ["Organisation", "Somewhere PCN"]
    assert rows[3] == ["Scenario", "year=2030; shift_share=0.2"]
    assert rows[4] == ["Year", 2030]
    assert rows[5] == ["Web page", "http://x/org/X1"]
    assert rows[6][0] == "Created"
    assert [r[0] for r in rows[8:11]] == ["Notes", "first note", "second note"]
    assert rows[12][0] == "Sources" and wb["notes"].cell(13, 1).font.b and wb["notes"].cell(9, 1).font.b
    assert rows[-1][0] == excel.OGL_LINE


def test_no_levers_reads_as_the_baseline() -> None:
    wb = _load(excel.workbook_bytes({"t": ROLES}, _info()))
    assert wb["notes"]["B4"].value == excel.BASELINE_TEXT


def test_summary_values_are_formatted_by_their_unit() -> None:
    summary = pd.DataFrame(
        {"measure": ["year", "share", "fte"], "value": [2030, 0.12, 3.25], "unit": ["year", "share", "FTE"]}
    )
    ws = _load(excel.workbook_bytes({"summary": summary}, _info()))["summary"]
    assert [ws.cell(r, 2).number_format for r in (2, 3, 4)] == ["0", "0.0%", "#,##0.0"]


def test_times_are_written_in_utc_without_a_zone() -> None:
    frame = pd.DataFrame({"imported_at": pd.to_datetime(["2026-01-01T12:00:00+01:00"], utc=True)})
    ws = _load(excel.workbook_bytes({"datasets": frame}, None)).active
    assert ws is not None and ws["A2"].value == datetime(2026, 1, 1, 11, 0)


def test_a_workbook_without_tables_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one table"):
        excel.workbook_bytes({}, None)


@pytest.mark.parametrize(
    "column, expected",
    [
        ("capacity_to_demand", "0.0%"),
        ("percentile_in_icb", "0.0"),
        ("patients_per_gp_fte", "#,##0"),
        ("fte_per_1000_patients", "#,##0.00"),
        ("appointments_per_fte", "#,##0"),
        ("year", "0"),
        ("gap_per_week", "#,##0"),
    ],
)
def test_number_format_by_column_name(column: str, expected: str) -> None:
    assert excel.number_format(column) == expected
