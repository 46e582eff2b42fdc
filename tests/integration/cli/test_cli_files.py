"""Integration: ``--format xlsx --out`` and ``--out`` on the report commands, against their JSON
output and against the web's Excel download of the same organisation and scenario."""

from __future__ import annotations

import io
import json
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gpworkforce.cli import app
from gpworkforce.cli.options import Format
from gpworkforce.cli.output import check_destination
from gpworkforce.web.app import create_app

runner = CliRunner()


@pytest.fixture(scope="module")
def db(national_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A copy of the national database shared by this module's tests, which only read it (so the
    CLI's in-process caches serve all but the first)."""
    path = tmp_path_factory.mktemp("cli-files") / "national.db"
    shutil.copyfile(national_sqlite_template, path)
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GPWORKFORCE_DATABASE_URL", url)
        mp.setenv("GPWORKFORCE_CACHE_DIR", str(tmp_path_factory.mktemp("cli-cache")))
        yield url


def _cells(ws: Any) -> list[list[tuple[Any, str]]]:
    return [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()]


def _notes(ws: Any) -> list[list[Any]]:
    """The notes sheet without the rows that must differ (when it was made, which page or command)."""
    return [[c.value for c in row] for row in ws.iter_rows() if row[0].value not in ("Created", "Web page", "Command")]


def test_gap_xlsx_has_the_json_figures(db: str, tmp_path: Path) -> None:
    args = ["gap", "QHM", "--year", "2030", "--shift", "0.3", "--add-fte", "pharmacist=2"]
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    target = tmp_path / "gap.xlsx"
    out = runner.invoke(app, [*args, "--format", "xlsx", "--out", str(target)])
    assert out.exit_code == 0, out.output
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["gap_roles", "notes"]
    ws = wb["gap_roles"]
    roles = data["tables"]["roles"]
    header = [c.value for c in ws[1]]
    assert header == list(roles[0])
    gap_col = header.index("gap_per_week") + 1
    for i, row in enumerate(roles, start=2):
        assert ws.cell(i, 1).value == row["role"]
        assert ws.cell(i, gap_col).value == pytest.approx(row["gap_per_week"], rel=1e-12)
    notes = {row[0].value: row[1].value for row in wb["notes"].iter_rows() if len(row) > 1}
    assert notes["Scenario"] == "year=2030; shift_share=0.3; added_fte.pharmacist=2"
    assert notes["Year"] == 2030 and notes["Organisation"] == data["organisation"]["label"]
    assert notes["Command"] == (
        "gpworkforce gap QHM --year 2030 --shift 0.3 --add-fte pharmacist=2 --format xlsx --out " + str(target)
    )


def test_xlsx_is_the_web_download_of_the_same_scenario(db: str, tmp_path: Path) -> None:
    target = tmp_path / "capacity.xlsx"
    out = runner.invoke(app, ["capacity", "A81001", "--add-fte", "gp=1", "-f", "xlsx", "-o", str(target)])
    assert out.exit_code == 0, out.output
    cli = openpyxl.load_workbook(target)
    with TestClient(create_app(db, secret_key=secrets.token_urlsafe(32))) as client:
        response = client.get("/org/A81001/download/capacity_roles.xlsx", params={"added_fte.gp": "1"})
    web = openpyxl.load_workbook(io.BytesIO(response.content))
    assert cli.sheetnames == web.sheetnames == ["capacity_roles", "notes"]
    assert _cells(cli["capacity_roles"]) == _cells(web["capacity_roles"])
    assert cli["capacity_roles"].freeze_panes == web["capacity_roles"].freeze_panes == "A2"
    assert _notes(cli["notes"]) == _notes(web["notes"])


@pytest.mark.parametrize(
    "args, sheets",
    [
        (["demand", "A81001"], ["categories", "age_bands", "notes"]),
        (["benchmark", "A81001"], ["benchmarks", "notes"]),
        (["gap", "QHM", "--by", "pcn"], ["children", "notes"]),
    ],
)
def test_every_report_command_writes_its_tables(db: str, tmp_path: Path, args: list[str], sheets: list[str]) -> None:
    data = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    target = tmp_path / "report.xlsx"
    out = runner.invoke(app, [*args, "--format", "xlsx", "--out", str(target)])
    assert out.exit_code == 0, out.output
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == sheets
    for (name, rows), sheet in zip(data["tables"].items(), sheets, strict=False):
        ws = wb[sheet]
        assert [c.value for c in ws[1]] == list(rows[0]), name
        assert ws.max_row == len(rows) + 1, name


def test_xlsx_without_out_is_refused_before_any_work(db: str) -> None:
    out = runner.invoke(app, ["gap", "ZZZ999", "--format", "xlsx"])
    assert out.exit_code == 2
    assert "--out" in out.output and "unknown organisation" not in out.output


def test_xlsx_is_never_written_to_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdout", Tty())
    with pytest.raises(typer.Exit) as exc:
        check_destination(Format.xlsx, Path("-"))
    assert exc.value.exit_code == 2
    check_destination(Format.csv, Path("-"))  # text may go to a terminal


def test_xlsx_to_a_pipe_with_out_dash(db: str) -> None:
    out = runner.invoke(app, ["benchmark", "A81001", "--format", "xlsx", "--out", "-"])
    assert out.exit_code == 0, out.output
    assert openpyxl.load_workbook(io.BytesIO(out.stdout_bytes)).sheetnames == ["benchmarks", "notes"]


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_out_writes_what_stdout_would_show(db: str, tmp_path: Path, fmt: str) -> None:
    args = ["demand", "U89141", "--year", "2030", "--format", fmt]
    printed = runner.invoke(app, args)
    target = tmp_path / f"demand.{fmt}"
    written = runner.invoke(app, [*args, "--out", str(target)])
    assert written.exit_code == 0, written.output
    assert written.stdout == "" and str(target) in written.stderr
    if fmt == "table":  # a file is drawn wider than the test's 80-column terminal
        text = target.read_text()
        assert text.splitlines()[0] == printed.stdout.splitlines()[0] == "Demand: PCN U89141: STOCKTON PCN"
        assert "categories" in text and "age bands" in text and "\x1b[" not in text  # no colour codes in a file
    else:
        assert target.read_text() == printed.stdout


def test_out_to_a_missing_folder_says_so(db: str, tmp_path: Path) -> None:
    out = runner.invoke(app, ["benchmark", "A81001", "-f", "csv", "--out", str(tmp_path / "nowhere" / "b.csv")])
    assert out.exit_code == 2 and "cannot write" in out.output and "b.csv" in out.output


def test_datasets_as_xlsx(db: str, tmp_path: Path) -> None:
    listed = json.loads(runner.invoke(app, ["datasets", "--format", "json"]).stdout)
    target = tmp_path / "datasets.xlsx"
    out = runner.invoke(app, ["datasets", "--format", "xlsx", "--out", str(target)])
    assert out.exit_code == 0, out.output
    ws = openpyxl.load_workbook(target)["datasets"]
    header = [c.value for c in ws[1]]
    assert header == list(listed[0]) and ws.max_row == len(listed) + 1
    rows_col = header.index("rows") + 1
    assert sum(ws.cell(r, rows_col).value for r in range(2, ws.max_row + 1)) == sum(d["rows"] for d in listed)
