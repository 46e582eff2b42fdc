"""Integration: `gpworkforce sweep` writes a Parquet file, and bad input exits 2 writing nothing."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from gpworkforce.cli import app

runner = CliRunner()


def test_sweep_grid_writes_parquet(db: str, tmp_path: Path) -> None:
    out = tmp_path / "sweep.parquet"
    result = runner.invoke(
        app,
        ["sweep", "--grid", "shift_share=0,0.3", "--org", "QHM", "--scheduler", "synchronous", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert set(table.column("scenario_id").to_pylist()) == {1, 2}
    assert set(table.column("shift_share").to_pylist()) == {0.0, 0.3}
    assert "rows written to" in result.output
    assert table.schema.metadata[b"gpworkforce.organisation"] == b"QHM"


def test_sweep_scenario_file(db: str, tmp_path: Path) -> None:
    scenarios = tmp_path / "s.json"
    scenarios.write_text('[{"year": 2030}, {"year": 2030, "minutes": {"gp": 12}}]')
    out = tmp_path / "sweep.parquet"
    result = runner.invoke(
        app, ["sweep", "--scenarios", str(scenarios), "--org", "A81001", "--scheduler", "synchronous", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    frame = pq.read_table(out).to_pandas()
    assert frame["minutes.gp"].isna().sum() == len(frame) / 2
    assert (frame["projection_year"] == 2030).all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "shift_share=0,5"], "field shift_share: Input should be less than or equal to 1"),
        (["--grid", "yeer=2030"], "unknown scenario field 'yeer'"),
        (["--scenarios", "{dir}/s.csv"], "s.csv, row 3, field dna_rate"),
        (["--grid", "year=2030", "--scenarios", "{dir}/s.csv"], "either --grid"),
        ([], "either --grid"),
        (["--grid", "year=2030", "--org", "NOPE1"], "NOPE1"),
        (["--grid", "added_fte.gp=-10000", "--org", "A81001"], "removes more"),
    ],
)
def test_bad_sweep_input_exits_2_and_writes_nothing(db: str, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "s.csv").write_text("year,dna_rate\n2030,0.03\n2031,0.9\n")
    out = tmp_path / "out" / "sweep.parquet"
    out.parent.mkdir()
    argv = ["sweep", *[a.format(dir=tmp_path) for a in args], "--scheduler", "synchronous", "-o", str(out)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert list(out.parent.iterdir()) == []
