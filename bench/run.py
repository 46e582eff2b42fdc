"""`make bench`: time the hot paths and write bench/results.json.

Each benchmark is the median of several runs (the count is recorded). The model benchmark
runs the vectorised engine for every practice in England beside a plain per-practice
loop (gpworkforce.model.spreadsheet) doing the same sums, and reports the ratio.
Targets live here, never in timed tests.
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

import numpy as np

import gpworkforce  # noqa: F401  (sets single-threaded BLAS before numpy loads)

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GPWORKFORCE_SHARED_DATA", REPO.parent / "shared" / "data"))
OUT = REPO / "bench" / "results.json"
sys.path.insert(0, str(REPO / "bench"))
from bench_entry import entry, timed  # noqa: E402


def bench_import(results: list[dict[str, Any]]) -> None:
    """National patients file: read + validate + save into a fresh SQLite database."""
    from gpworkforce import store
    from gpworkforce.ingest import read_patients

    path = SHARED / "gp-reg-pat-prac-quin-age_2026-07.csv.gz"
    if not path.exists():
        print(f"skip import benchmark: {path} not found", file=sys.stderr)
        return

    def once() -> int:
        with tempfile.TemporaryDirectory() as tmp:
            engine = store.make_engine(f"sqlite:///{tmp}/b.db")
            store.upgrade(engine)
            t0 = time.perf_counter()
            result = read_patients(path)
            with store.session_scope(engine) as s:
                store.save_dataset(s, result)
            engine.dispose()
            once.seconds = time.perf_counter() - t0  # type: ignore[attr-defined]
            return len(result.frame)

    times = []
    for _ in range(3):
        once()
        times.append(once.seconds)  # type: ignore[attr-defined]
    results.append(
        entry(
            "import national patients file (read + validate + save, SQLite)",
            statistics.median(times),
            15.0,
            3,
            extra={"rows": 245_560},
        )
    )


def bench_model(results: list[dict[str, Any]], ctx: Any) -> None:
    """Demand, capacity and gap for every practice: engine vs per-practice loop."""
    from gpworkforce.model.engine import ModelInputs, run
    from gpworkforce.model.spreadsheet import gap_all_practices

    nd, cal = ctx.data, ctx.calibration
    inputs = ModelInputs(nd.patients, cal.z, nd.fte)
    secs, peak, res = timed(lambda: run(inputs, cal.params), 15)
    pats, cov, fte = nd.patients.tolist(), cal.z.tolist(), nd.fte.tolist()
    ref_runs = 3
    ref_secs, _, loop = timed(lambda: gap_all_practices(pats, cov, fte, cal.params), ref_runs)
    demand = np.array([d for d, _, _ in loop])
    agree = bool(np.allclose(demand, res.demand_week, rtol=1e-9, atol=1e-6))
    results.append(
        entry(
            f"demand, capacity and gap for all {len(nd.practices):,} practices (vectorised engine)",
            secs,
            0.2,
            15,
            peak,
            "same sums one practice at a time in plain Python (model/spreadsheet.py)",
            ref_secs,
            50.0,
            extra={"reference_runs": ref_runs, "results_agree": agree},
        )
    )


def bench_services(results: list[dict[str, Any]], ctx: Any) -> None:
    """Whole use cases as the CLI and web call them (model + aggregation + tables), each run a
    scenario the services have not seen (the per-scenario run cache is cleared first)."""
    from gpworkforce.scenario import Scenario
    from gpworkforce.services.capacity import gap_report
    from gpworkforce.services.children import by_level_report

    icb = str(ctx.data.practices["icb_code"].mode().iloc[0])

    def cold(fn: Any) -> Any:
        def call() -> Any:
            ctx.memo("runs").clear()
            return fn()

        return call

    for label, fn in (
        ("gap report for England (cold scenario)", lambda: gap_report(ctx, "england")),
        (f"gap by practice for ICB {icb} (cold scenario)", lambda: by_level_report(ctx, icb, "practice")),
        (
            "gap for England, 2030 with a scenario (cold)",
            lambda: gap_report(ctx, "england", Scenario(year=2030, shift_share=0.3, dna_rate=0.03)),
        ),
    ):
        secs, peak, _ = timed(cold(fn), 7)
        results.append(entry(label, secs, 0.5, 7, peak))


def bench_search(results: list[dict[str, Any]], ctx: Any) -> None:
    """Organisation search (fuzzy names, packed postcodes, ONS codes, places) for one query, index
    built, beside the plain case-insensitive substring search of practice and organisation names and
    codes it replaced; and building the index once per data version."""
    from gpworkforce.services.national import LEVEL_COLUMNS
    from gpworkforce.services.org_search import build_index, search

    p = ctx.data.practices
    queries = ("Densam", "TS181HU", "E54000050", "Stockton", "surgery")

    def plain() -> int:
        found = 0
        for q in queries:
            for col, name_col in LEVEL_COLUMNS.values():
                orgs = p[[col, name_col]].drop_duplicates(col)
                hit = orgs[col].str.upper().str.contains(q.upper(), regex=False)
                hit |= orgs[name_col].str.upper().str.contains(q.upper(), regex=False)
                found += int(hit.sum())
        return found

    search(ctx, "warm")  # the index, once per version
    secs, peak, _ = timed(lambda: [search(ctx, q) for q in queries], 7)
    ref_secs, _, _ = timed(plain, 7)
    results.append(
        entry(
            f"search {len(queries)} queries (fuzzy, postcode, ONS, place, common word)",
            secs,
            0.25,
            7,
            peak,
            reference="plain substring search of codes and names (the search it replaced)",
            reference_seconds=ref_secs,
        )
    )
    secs, peak, _ = timed(lambda: build_index(ctx.data), 3)
    results.append(entry("build the search index (once per data version)", secs, 2.0, 3, peak))


def main() -> None:
    from gpworkforce.services.importing import ensure_database
    from gpworkforce.services.versions import open_workspace

    results: list[dict[str, Any]] = []
    bench_import(results)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        os.environ["GPWORKFORCE_CACHE_DIR"] = tmp
        t = time.perf_counter()
        ensure_database(url)
        results.append(
            entry("build database from the shipped snapshot (first run of make run)", time.perf_counter() - t, 60.0, 1)
        )
        workspace = open_workspace(url)
        t = time.perf_counter()
        ctx = workspace.version()
        results.append(
            entry("assemble national arrays from the database (cold, no cache)", time.perf_counter() - t, 10.0, 1)
        )
        bench_model(results, ctx)
        bench_services(results, ctx)
        bench_search(results, ctx)
        import runpy

        results.extend(runpy.run_path(str(REPO / "bench" / "supply.py"))["run"](ctx))

        web = REPO / "bench" / "web.py"
        if web.exists():
            results.extend(runpy.run_path(str(web))["run"](url))
        results.extend(runpy.run_path(str(REPO / "bench" / "page_weight.py"))["run"](url))
        results.extend(runpy.run_path(str(REPO / "bench" / "sweep.py"))["run"](url))
        workspace.engine.dispose()
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    for r in results:
        ratio = f"  ratio {r['ratio']:.{0 if r['ratio'] >= 10 else 2}f}x" if r.get("ratio") else ""
        ratio += f"  {r['bytes']:,} bytes (target {r['target_bytes']:,})" if "bytes" in r else ""
        print(f"{'PASS' if r['passed'] else 'FAIL'}  {r['seconds']:.4f}s{ratio}  {r['name']}")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
