"""Integration: a sweep on Dask writes exactly what the single-process run writes, carries the gap
report's figures, and a failure leaves no file behind."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from gpworkforce.scenario import Scenario
from gpworkforce.services import sweep
from gpworkforce.services.capacity import gap_report
from gpworkforce.services.organisations import UnknownOrganisation
from gpworkforce.services.scenario_run import ScenarioNotPossible
from gpworkforce.services.sweep_spec import SweepInputError, grid_scenarios
from gpworkforce.services.versions import Workspace

GRID = ["year=2026,2030", "capacity_standard=reference,throughput", "added_fte.pharmacist=none,40"]
KEYS = ["scenario_id", "practice_code", "role"]


def _sorted(path: Path) -> pd.DataFrame:
    frame = sweep.read_sweep(path)
    return frame.sort_values(KEYS, ignore_index=True)


@pytest.fixture(scope="module")
def single(ctx: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "single.parquet"
    sweep.run_sweep(ctx, grid_scenarios(GRID), out, scheduler=sweep.SYNCHRONOUS)
    return out


def test_dask_sweep_equals_the_single_process_run(ctx: Workspace, single: Path, tmp_path: Path) -> None:
    out = tmp_path / "dask.parquet"
    summary = sweep.run_sweep(ctx, grid_scenarios(GRID), out, scheduler=sweep.LOCAL, workers=2, processes=False)
    practices = int(ctx.version().data.practices.shape[0])
    assert summary.rows == 8 * practices * 18  # 17 clinical roles and 'unassigned'
    dask_frame, single_frame = _sorted(out), _sorted(single)
    pd.testing.assert_frame_equal(dask_frame, single_frame, check_exact=True)
    assert pq.read_schema(out).metadata == pq.read_schema(single).metadata


def test_each_scenario_adds_up_to_its_gap_report(ctx: Workspace, single: Path) -> None:
    frame = sweep.read_sweep(single)
    version = ctx.version()
    for scenario_id, scenario in enumerate(grid_scenarios(GRID), start=1):
        rows = frame[frame["scenario_id"] == scenario_id]
        assert set(rows["year"].dropna()) <= {scenario.year}
        assert (rows["projection_year"] == (scenario.year or version.base_year)).all()
        assert (rows["capacity_standard"] == scenario.capacity_standard).all()
        summary = gap_report(version, "england", scenario).summary
        assert rows["gap_per_week"].sum() == pytest.approx(summary.gap_per_week, rel=1e-9)
        assert rows["capacity_per_week"].sum() == pytest.approx(summary.capacity_per_week, rel=1e-9)
        unassigned = rows.loc[rows["role"] == "unassigned", "demand_per_week"].sum()
        assert unassigned == pytest.approx(summary.unassigned_per_week, rel=1e-9, abs=1e-9)
    added = frame.loc[frame["added_fte.pharmacist"] == 40, "scenario_id"].unique()
    assert sorted(added) == [2, 4, 6, 8]
    assert frame["fte_source"].notna().all() and frame["data_fingerprint"].eq(version.fingerprint).all()


def test_a_failing_sweep_writes_nothing(ctx: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "x.parquet"
    too_many = Scenario(added_fte={"gp": -10_000})
    with pytest.raises(ScenarioNotPossible, match="removes more"):  # a practice has fewer than 10,000 GP FTE
        sweep.run_sweep(ctx, [Scenario(), too_many], out, "A81001", scheduler=sweep.LOCAL, processes=False)
    with pytest.raises(UnknownOrganisation):
        sweep.run_sweep(ctx, [Scenario()], out, "ZZZZZ", scheduler=sweep.LOCAL, processes=False)
    with pytest.raises(SweepInputError, match="folder does not exist"):
        sweep.run_sweep(ctx, [Scenario()], tmp_path / "no" / "x.parquet", scheduler=sweep.SYNCHRONOUS)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_mid_write_removes_the_partial_file(
    ctx: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sweep.scenario_table
    calls: list[int] = []

    def second_fails(*args: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sweep, "scenario_table", second_fails)
    with pytest.raises(RuntimeError, match="worker lost"):
        sweep.run_sweep(ctx, grid_scenarios(["year=2026,2030"]), tmp_path / "x.parquet", scheduler=sweep.SYNCHRONOUS)
    assert list(tmp_path.iterdir()) == []


def test_a_worker_on_other_data_refuses_the_task(ctx: Workspace, national_url: str) -> None:
    version = ctx.version()
    job = sweep.SweepJob(national_url, (), version.fingerprint, version.reference.digest, "england")
    params = sweep._params_of(sweep.parameter_columns([Scenario()]), 0)
    assert sweep.sweep_task(job, Scenario().model_dump_json(), 1, params).num_rows > 0
    with pytest.raises(sweep.SweepDataChanged):
        sweep.sweep_task(dataclasses.replace(job, fingerprint="other"), Scenario().model_dump_json(), 1, params)
