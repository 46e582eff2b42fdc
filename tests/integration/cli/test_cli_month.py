"""Integration: `demand --month` on the national database: the fixed CSV contract, the summaries,
the projection year the month implies, and bad values."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from gpworkforce.cli import app

runner = CliRunner()


def _summary(*args: str) -> dict[str, float]:
    out = runner.invoke(app, ["demand", *args, "--format", "json"])
    assert out.exit_code == 0, out.output
    summary: dict[str, float] = json.loads(out.stdout)["summary"]
    return summary


def test_by_practice_csv_has_code_and_appointments_in_month(db: str) -> None:
    out = runner.invoke(app, ["demand", "QHM", "--by", "practice", "--month", "2026-11", "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    header = list(rows[0])
    assert "code" in header and "appointments_in_month" in header
    assert header.index("appointments_in_month") == header.index("appointments_per_month") + 1
    # November runs above an average month (more appointments per working day), for every practice
    month = sum(float(r["appointments_in_month"]) for r in rows)
    year = sum(float(r["appointments_per_year"]) for r in rows)
    assert year / 12 < month < year / 10
    first = rows[0]
    share = float(first["appointments_in_month"]) / float(first["appointments_per_year"])
    assert share == pytest.approx(month / year, rel=1e-3)  # one national profile for every practice


def test_without_month_the_table_and_summary_keep_their_columns(db: str) -> None:
    out = runner.invoke(app, ["demand", "QHM", "--by", "icb", "--format", "csv"])
    assert out.exit_code == 0, out.output
    assert "appointments_in_month" not in out.stdout.splitlines()[0]
    assert "month" not in _summary("QHM")


def test_summary_months_of_a_year_add_up_to_the_year(db: str) -> None:
    months = [_summary("england", "--month", f"2026-{m:02d}") for m in (1, 8, 10, 11)]
    year = months[0]["appointments_per_year"]
    assert all(m["appointments_per_year"] == year and m["year"] == 2026 for m in months)
    august, october = months[1], months[2]
    assert august["appointments_in_month"] < year / 12 < october["appointments_in_month"]
    assert months[3]["working_days_in_month"] == 21 and months[3]["month"] == "2026-11"
    # the month's share is its working days times its factor over the year's
    ratio = october["appointments_in_month"] / august["appointments_in_month"]
    assert ratio == pytest.approx(22 * october["seasonal_factor"] / (20 * august["seasonal_factor"]))


def test_a_later_month_projects_to_its_year_unless_year_is_given(db: str) -> None:
    later = _summary("england", "--month", "2030-11")
    assert later["year"] == 2030
    assert later["appointments_per_year"] != _summary("england")["appointments_per_year"]
    earlier = _summary("england", "--month", "2025-11")
    assert earlier["year"] == 2026 and earlier["working_days_in_month"] == 20
    children = json.loads(
        runner.invoke(app, ["demand", "england", "--by", "region", "--month", "2030-11", "-f", "json"]).stdout
    )
    assert children["summary"]["appointments_in_month"] == pytest.approx(later["appointments_in_month"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "2026-13"], "--month: month must be YYYY-MM"),
        (["--month", "Nov 2026"], "--month: month must be YYYY-MM"),
        (["--month", "2045-01"], "--month: month 2045-01: bank holidays are known for 2020-2040"),
        (["--by", "practice", "--month", "26-11"], "--month"),
        (["--month", "2027-11", "--year", "2030"], "month 2027-11 is not in the projection year 2030"),
    ],
)
def test_bad_month_exits_naming_the_option(db: str, args: list[str], message: str) -> None:
    out = runner.invoke(app, ["demand", "QHM", *args])
    assert out.exit_code == 2
    assert message in " ".join(out.output.split())
