"""Supply projection benchmark: every practice in England x 10 years x 1,000 draws (Monte Carlo,
model/supply.py: one outcome per person and draw) beside a plain per-practice, per-draw,
year-by-year Python loop on a sample.

Run by bench/run.py (``run(version)``) or alone: ``python bench/supply.py [--write]`` (builds or
reuses the database at $GPWORKFORCE_DATABASE_URL; ``--write`` replaces the supply entry of
bench/results.json). Peak memory is tracemalloc's peak of the timed call (numpy's arrays included)
and the process's peak RSS. The machine may be shared: the entry keeps the CPU time (user + sys) of
the timed runs and the load average beside the wall-clock median.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_entry import entry

YEARS, DRAWS, SEED, BLOCK, WORKERS, RUNS = 10, 1000, 1, 300, 2, 5
SAMPLE_PRACTICES, SAMPLE_DRAWS = 20, 200


def project_england(known: Any, unknown: Any, profile: Any, per_head: Any, params: Any) -> np.ndarray:
    """P10/P50/P90 of FTE [3, years + 1, p, r] per practice, in blocks of practices."""
    from gpworkforce.model.supply import quantiles, simulate

    n = known.shape[0]
    out = np.zeros((3, YEARS + 1, n, known.shape[1]))

    def block(start: int) -> None:
        sl = slice(start, start + BLOCK)
        group = np.arange(min(BLOCK, n - start))
        sim = simulate(known[sl], unknown[sl], profile, per_head[sl], params, YEARS, DRAWS, SEED + start, group)
        out[:, :, sl] = quantiles(sim.fte, axis=1)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:  # numpy releases the GIL in the heavy parts
        list(pool.map(block, range(0, n, BLOCK)))
    return out


def plain_loop(known: Any, unknown: Any, profile: Any, per_head: Any, params: Any, draws: int) -> list[list[float]]:
    """The same projection one practice and one draw at a time, one person at a time (plain Python)."""
    rng = random.Random(SEED)
    hazard, ageing = params.hazard.tolist(), params.ageing.tolist()
    leave, drift = params.leaver_rate.tolist(), params.fte_drift.tolist()
    bands = len(ageing)
    out = []
    for p in range(known.shape[0]):
        people = [(r, b) for r in range(known.shape[1]) for b in range(bands) for _ in range(int(known[p, r, b]))]
        for r in range(known.shape[1]):
            for _ in range(int(unknown[p, r])):
                people.append((r, rng.choices(range(bands), weights=profile[r].tolist())[0]))
        for _ in range(draws):
            mult = np.exp(rng.gauss(-(params.hazard_sigma**2) / 2, params.hazard_sigma))
            alive = list(people)
            fte_by_year = []
            for t in range(1, YEARS + 1):
                kept = []
                for r, b in alive:
                    u = rng.random()
                    h = min(hazard[r][b] * mult, 1.0)
                    if u < h + (1 - h) * leave[r]:
                        continue
                    kept.append((r, b + 1 if rng.random() < ageing[b] else b))
                alive = kept
                fte_by_year.append(sum(per_head[p, r] * (1 + drift[r]) ** t for r, _ in alive))
            out.append(fte_by_year)
    return out


def run(version: Any) -> list[dict[str, Any]]:
    from gpworkforce.reference.supply import load_supply_reference
    from gpworkforce.services.supply_inputs import integer_heads, published_inputs

    data = version.data
    sref = load_supply_reference()
    params = sref.parameters("calibrated")
    inputs = published_inputs(data, np.arange(len(data.practices)))
    known, unknown = integer_heads(inputs)
    per_head, profile = inputs.fte_per_head, sref.age_profile
    n = known.shape[0]
    persons = int(known.sum() + unknown.sum())
    times, cpu = [], []
    load = os.getloadavg()[0]
    for _ in range(RUNS):
        c, t = os.times(), time.perf_counter()
        project_england(known, unknown, profile, per_head, params)
        times.append(time.perf_counter() - t)
        cpu.append(os.times().user - c.user + os.times().system - c.system)
    load = (load + os.getloadavg()[0]) / 2
    tracemalloc.start()
    project_england(known, unknown, profile, per_head, params)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    secs = statistics.median(times)
    sample = slice(0, SAMPLE_PRACTICES)
    c, t = os.times(), time.perf_counter()
    plain_loop(known[sample], unknown[sample], profile, per_head[sample], params, SAMPLE_DRAWS)
    ref = time.perf_counter() - t
    ref_cpu = os.times().user - c.user + os.times().system - c.system
    per_vector = secs / (n * DRAWS)
    per_plain = ref / (SAMPLE_PRACTICES * SAMPLE_DRAWS)
    return [
        entry(
            f"supply projection: all {n:,} practices x {YEARS} years x {DRAWS:,} draws "
            f"({persons:,} GPs and practice nurses, one outcome per person and draw, {WORKERS} threads)",
            secs,
            10.0,
            len(times),
            peak,
            f"plain Python loop per practice, per draw, per person and per year on {SAMPLE_PRACTICES} practices x "
            f"{SAMPLE_DRAWS} draws, scaled to the same practice-draws (bench/supply.py plain_loop)",
            per_plain * n * DRAWS,
            None,
            extra={
                "cpu_seconds": statistics.median(cpu),
                "cpu_seconds_note": "user + sys of the whole process per timed run (median): independent of other load",
                "load_average_1min": round(load, 2),
                "peak_rss_mb": rss,
                "target_peak_mb": 4096,
                "seconds_per_practice_draw": per_vector,
                "reference_seconds_per_practice_draw": per_plain,
                "reference_measured_seconds": ref,
                "reference_measured_cpu_seconds": ref_cpu,
                "cpu_ratio": ref_cpu / (SAMPLE_PRACTICES * SAMPLE_DRAWS) * n * DRAWS / statistics.median(cpu),
                "passed_memory": peak < 4096 and rss < 4096,
            },
        )
    ]


if __name__ == "__main__":
    import json

    from gpworkforce.services.importing import ensure_database
    from gpworkforce.services.versions import open_workspace

    url = os.environ.get("GPWORKFORCE_DATABASE_URL", "sqlite:///bench-supply.db")
    ensure_database(url)
    got = run(open_workspace(url).version())
    for r in got:
        print(json.dumps(r, indent=2))
    if "--write" in sys.argv:
        path = Path(__file__).resolve().parent / "results.json"
        old = json.loads(path.read_text())
        kept = [r for r in old if not r["name"].startswith("supply projection:")]
        at = next((i for i, r in enumerate(old) if r["name"].startswith("supply projection:")), len(kept))
        path.write_text(json.dumps(kept[:at] + got + kept[at:], indent=2) + "\n")
        print(f"wrote {path}")
