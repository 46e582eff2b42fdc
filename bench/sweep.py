"""Sweep benchmark: 8 scenarios over every practice in England, one process against Dask.

Three figures, each the same sweep written to Parquet: the single-process run
(``--scheduler synchronous``), a Dask local cluster of 2 worker processes as `gpworkforce sweep`
starts one (cluster start, worker imports and each worker's data load and calibration
included), and the same cluster already warm (a second sweep sent to its address, as to a real
cluster). Every Dask file is checked to hold exactly the single-process rows.

Run by `make bench` (bench/run.py calls ``run(url)``), or alone: ``python bench/sweep.py``
builds a database in a temporary folder and replaces the sweep entries of bench/results.json.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from bench_entry import entry  # noqa: E402

GRID = ["year=2026,2030", "shift_share=0,0.2", "capacity_standard=reference,throughput"]
NAME = "sweep of 8 scenarios x every practice in England to Parquet"


def _seconds(fn: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(url: str) -> list[dict[str, Any]]:
    from dask.distributed import LocalCluster

    from gpworkforce.services.sweep import LOCAL, SYNCHRONOUS, read_sweep, run_sweep
    from gpworkforce.services.sweep_spec import grid_scenarios
    from gpworkforce.services.versions import open_workspace

    scenarios = grid_scenarios(GRID)
    workspace = open_workspace(url)
    _ = workspace.version().calibration  # warm, as in a running CLI after its first report
    keys = ["scenario_id", "practice_code", "role"]
    with tempfile.TemporaryDirectory() as tmp:
        single_file, dask_file = Path(tmp, "single.parquet"), Path(tmp, "dask.parquet")
        single = _seconds(lambda: run_sweep(workspace, scenarios, single_file, scheduler=SYNCHRONOUS), 3)
        expected = read_sweep(single_file).sort_values(keys, ignore_index=True)

        def same() -> bool:
            return bool(read_sweep(dask_file).sort_values(keys, ignore_index=True).equals(expected))

        cold = _seconds(lambda: run_sweep(workspace, scenarios, dask_file, scheduler=LOCAL, workers=2), 1)
        identical = same()
        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, silence_logs=40) as cluster:
            address = cluster.scheduler_address
            run_sweep(workspace, scenarios, dask_file, scheduler=address)  # workers load the data once
            warm = _seconds(lambda: run_sweep(workspace, scenarios, dask_file, scheduler=address), 3)
            identical = identical and same()
        rows, size = len(expected), single_file.stat().st_size
    workspace.engine.dispose()
    extra = {"scenarios": len(scenarios), "rows": rows, "file_bytes": size, "identical_to_single_process": identical}
    return [
        entry(f"{NAME}, single process (--scheduler synchronous)", single, 30.0, 3, extra=extra),
        entry(
            f"{NAME}, Dask local cluster of 2 workers, cluster start and worker data loads included",
            cold,
            None,
            1,
            reference="the single-process sweep",
            reference_seconds=single,
            extra=extra,
        ),
        entry(
            f"{NAME}, Dask local cluster of 2 workers already running (as a real cluster)",
            warm,
            None,
            3,
            reference="the single-process sweep",
            reference_seconds=single,
            extra=extra,
        ),
    ]


def main() -> None:
    from gpworkforce.services.importing import ensure_database

    out = REPO / "bench" / "results.json"
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GPWORKFORCE_CACHE_DIR"] = tmp
        url = f"sqlite:///{tmp}/bench.db"
        ensure_database(url)
        new = run(url)
    names = {e["name"] for e in new}
    old = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps([e for e in old if e["name"] not in names] + new, indent=2) + "\n")
    for e in new:
        ratio = f"  speed-up {e['ratio']:.2f}x" if e.get("ratio") else ""
        print(f"{e['seconds']:.2f}s{ratio}  {e['name']}  identical={e['identical_to_single_process']}")


if __name__ == "__main__":
    main()
