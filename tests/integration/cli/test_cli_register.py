"""`gpworkforce import register`, `register template|export|status` on a copy of the national database."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from gpworkforce.cli import app

runner = CliRunner()
HEADER = "local_ref,role,contract_type,fte,birth_year,age_band,start_date,end_date,leaving_reason"
ROWS = [
    "P1,gp,partner,1,1965,,2020-01-01,,",
    "P2,gp,salaried,0.8,1962,,2021-06-01,2025-03-31,retirement",
    "N1,practice_nurse,salaried,0.6,,45_49,2024-11-15,,",
]


def _csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_template_import_export_and_status(db: str, tmp_path: Path) -> None:
    template = tmp_path / "template.xlsx"
    assert runner.invoke(app, ["register", "template", str(template)]).exit_code == 0
    assert openpyxl.load_workbook(template).sheetnames == ["Instructions", "Staff", "Vacancies", "Lists"]

    bad_file = _csv(tmp_path / "bad.csv", *ROWS, "X,gp,partner,1,2013,,2025-01-01,,")
    bad = runner.invoke(app, ["import", "register", str(bad_file), "--employer", "A81001"])
    assert bad.exit_code == 2 and "bad.csv: row 5, column birth_year" in bad.output

    ok = runner.invoke(app, ["import", "register", str(_csv(tmp_path / "reg.csv", *ROWS)), "--employer", "A81001"])
    assert ok.exit_code == 0, ok.output
    assert "register A81001: 3 staff records" in ok.output

    out = tmp_path / "export.xlsx"
    assert runner.invoke(app, ["register", "export", "A81001", str(out)]).exit_code == 0
    again = runner.invoke(app, ["import", "register", str(out)])
    assert again.exit_code == 0 and "(replaced 3 and 0)" in again.output

    status = runner.invoke(app, ["register", "status", "U89141", "--month", "2025-12", "--format", "json"])
    assert status.exit_code == 0, status.output
    rows = {r["employer"]: r for r in json.loads(status.stdout)}
    assert rows["A81001"]["headcount"] == 2 and rows["A81001"]["fte"] == 1.6
    assert rows["A81017"]["has_register"] is False and rows["A81017"]["headcount"] is None
    assert runner.invoke(app, ["register", "status", "U89141", "--month", "2025-13"]).exit_code == 2


def test_acting_as_an_account_applies_its_scope(db: str, tmp_path: Path) -> None:
    add = ["user", "add", "pm@example.org", "--role", "practice_manager", "--org", "A81001", "--password-stdin"]
    assert runner.invoke(app, add, input="a-long-enough-password-42\n").exit_code == 0
    path = _csv(tmp_path / "reg.csv", *ROWS)
    refused = runner.invoke(app, ["import", "register", str(path), "--employer", "A81002", "--as", "pm@example.org"])
    assert refused.exit_code == 2 and "outside your organisation" in refused.output
    ok = runner.invoke(app, ["import", "register", str(path), "--employer", "A81001", "--as", "pm@example.org"])
    assert ok.exit_code == 0, ok.output
    assert (
        runner.invoke(
            app, ["register", "export", "U89141", str(tmp_path / "x.xlsx"), "--as", "pm@example.org"]
        ).exit_code
        == 2
    )
    nobody = runner.invoke(app, ["register", "status", "A81001", "--as", "nobody@example.org"])
    assert nobody.exit_code == 2 and "no enabled account" in nobody.output
    wrong = runner.invoke(app, ["import", "patients", str(path), "--employer", "A81001"])
    assert wrong.exit_code == 2 and "apply to `import register` only" in wrong.output
