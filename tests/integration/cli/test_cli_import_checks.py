"""`gpworkforce import` refuses damaged files against the loaded data (issue 11): a truncated file
that would replace a whole dataset, a practice nobody knows, an absurd count, a file whose period
cannot be told. Each refusal exits non-zero, names the file (line, column) and writes nothing."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gpworkforce import store
from gpworkforce.cli import app

runner = CliRunner()
CROSSTAB_HEADER = (
    "APPOINTMENT_MONTH_START_DATE,GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,"
    "SUB_ICB_LOCATION_NAME,HCP_TYPE,APPT_MODE,NATIONAL_CATEGORY,TIME_BETWEEN_BOOK_AND_APPT,"
    "COUNT_OF_APPOINTMENTS,APPT_STATUS"
)


def state(url: str) -> tuple[str, list[tuple[str, str, int]]]:
    """The database's fingerprint and datasets: equal before and after a refused import."""
    engine = store.make_engine(url)
    with store.session_scope(engine) as s:
        fp = store.database_fingerprint(s)
        ds = store.list_datasets(s)
    engine.dispose()
    return fp, sorted(zip(ds["kind"], ds["period"], ds["rows"], strict=True))


def _lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return fh.read().splitlines(keepends=True)


def _write_gz(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        fh.writelines(lines)
    return path


def test_a_truncated_mapping_is_refused_unless_allowed(db: str, shared_data: Path, tmp_path: Path) -> None:
    """The mapping with 3,685 of 6,139 practices once replaced the real one (and `demand Y56` lost
    673,404 patients)."""
    lines = _lines(shared_data / "gp-reg-pat-prac-map_2026-07.csv.gz")
    cut = _write_gz(tmp_path / "gp-reg-pat-prac-map_2026-07.csv.gz", lines[: 1 + 3685])
    before = state(db)
    out = runner.invoke(app, ["import", "mapping", str(cut)])
    assert out.exit_code != 0
    for text in ("gp-reg-pat-prac-map_2026-07.csv.gz", "3,685 practices", "6,139", "--allow-shrink"):
        assert text in out.output, out.output
    assert state(db) == before
    allowed = runner.invoke(app, ["import", "mapping", str(cut), "--allow-shrink"])
    assert allowed.exit_code == 0, allowed.output
    assert ("mapping", "2026-07", 3685) in state(db)[1]


def test_a_small_loss_is_accepted(db: str, shared_data: Path, tmp_path: Path) -> None:
    """Practices close and merge: 2% fewer is a real month, not a damaged file."""
    lines = _lines(shared_data / "gp-reg-pat-prac-map_2026-07.csv.gz")
    keep = 1 + int(6139 * 0.98)
    out = runner.invoke(app, ["import", "mapping", str(_write_gz(tmp_path / "map_2026-07.csv.gz", lines[:keep]))])
    assert out.exit_code == 0, out.output


def test_a_qof_practice_nobody_knows_is_refused_with_its_line(db: str, shared_data: Path, tmp_path: Path) -> None:
    """A 6,189th QOF "practice" once became a practice."""
    lines = _lines(shared_data / "qof-prevalence_2024-25.csv.gz")
    extra = lines[-1].replace(lines[-1].split(",")[0], "ZZ9999", 1)
    path = _write_gz(tmp_path / "qof-prevalence_2024-25.csv.gz", [*lines, extra])
    before = state(db)
    out = runner.invoke(app, ["import", "qof", str(path)])
    assert out.exit_code != 0
    assert f"row {len(lines) + 1:,}".replace(",", "") in out.output.replace(",", "")
    assert "ZZ9999" in out.output and "PRACTICE_CODE" in out.output, out.output
    assert state(db) == before


@pytest.mark.parametrize("value", ["1e308", "1e20", "2000000"])
def test_an_absurd_count_exits_with_line_and_column(db: str, tmp_path: Path, value: str) -> None:
    """``COUNT_OF_APPOINTMENTS=1e308`` once ended in "integer out of range" at an internal index."""
    path = tmp_path / "crosstab.csv"
    path.write_text(
        CROSSTAB_HEADER
        + "\n01OCT2025,A81001,X,TPP,U1,P,16C,S,GP,Telephone,Clinical Triage,Same Day,5,Attended"
        + f"\n01OCT2025,A81001,X,TPP,U1,P,16C,S,GP,Face-to-Face,Clinical Triage,Same Day,{value},Attended\n"
    )
    before = state(db)
    out = runner.invoke(app, ["import", "appointments", str(path)])
    assert out.exit_code != 0 and isinstance(out.exception, SystemExit)
    assert "crosstab.csv: row 3, column COUNT_OF_APPOINTMENTS" in out.output, out.output
    assert state(db) == before


def test_a_file_whose_period_cannot_be_told_is_a_message(db: str, tmp_path: Path) -> None:
    """GPAD's Mapping.csv carries no date: without one in its name it cannot be stored."""
    path = tmp_path / "Mapping.csv"
    path.write_text(
        "GP_CODE,GP_NAME,SUPPLIER,PCN_CODE,PCN_NAME,SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_NAME,ICB_CODE,ICB_NAME,"
        "REGION_CODE,REGION_NAME\nA81001,X,TPP,U1,P,16C,S,QHM,I,Y63,R\n"
    )
    before = state(db)
    out = runner.invoke(app, ["import", "mapping", str(path)])
    assert out.exit_code != 0 and isinstance(out.exception, SystemExit)
    assert "Mapping.csv" in out.output and "period" in out.output, out.output
    assert state(db) == before


def test_import_help_documents_allow_shrink() -> None:
    out = runner.invoke(app, ["import", "--help"])
    assert "--allow-shrink" in out.output
