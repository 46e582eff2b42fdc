"""The shape of one benchmark result in bench/results.json (DESIGN.md, "Benchmarks")."""

from __future__ import annotations

import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def machine() -> str:
    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}"


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median seconds over ``runs``, peak traced memory [MB] of one run, and the last result."""
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return statistics.median(times), peak, result


def entry(
    name: str,
    seconds: float,
    target: float | None,
    runs: int,
    peak: float | None = None,
    reference: str | None = None,
    reference_seconds: float | None = None,
    target_ratio: float | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ratio = reference_seconds / seconds if reference_seconds and seconds else None
    passed = (target is None or seconds <= target) and (target_ratio is None or (ratio or 0) >= target_ratio)
    return {
        "name": name,
        "seconds": seconds,
        "target_seconds": target,
        "reference": reference,
        "reference_seconds": reference_seconds,
        "ratio": ratio,
        "target_ratio": target_ratio,
        "peak_memory_mb": peak,
        "passed": passed,
        "machine": machine(),
        "runs": runs,
        **(extra or {}),
    }
