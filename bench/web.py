"""Web benchmark: p95 server time for an ICB page and for scenario updates, 20 concurrent clients.

Starts the real app under uvicorn with one worker (as ``gpworkforce serve`` does by default)
on a free loopback port, wrapped in a middleware that reports the time spent inside the app in a
``Server-Timing`` header, and drives it with 20 concurrent httpx clients. Called by bench/run.py
with the URL of a database holding England.

Three loads, each 20 clients x 10 requests:

- the ICB page, the same address every time (all from the cache after the first);
- scenario updates over 20 scenarios, each asked for 10 times (the first time computes it);
- scenario updates where every request is a scenario not seen before (each slider move a new
  value): the worst case, every request computes its model run, reports, charts and tables.

Each client connects (an untimed ``/healthz``) and waits for the others before its timed requests.
For each load, besides the p95 server time the targets are about, the entry records the median
server time, the latency the clients saw, throughput, and the CPU the load generator itself used.
Read the client latency with Little's law in mind: 20 clients that ask again as soon as they are
answered keep ~20 requests in the system, so each waits for ~19 others on one server core (and
the load generator shares the machine's second core); the server time is the app's own work on
the request (from its first line to the response headers), which is what the targets bound.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from serving import free_port, wait_until_up

HERE = Path(__file__).resolve().parent
CLIENTS = 20
#: One worker, the `gpworkforce serve` default (BENCH_WEB_WORKERS=2 to compare). On this 2-core
#: machine, where the load generator takes about half a core, two workers gave 10-40% more
#: throughput in some runs and none in others: each worker computes and caches its own scenarios.
WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "1"))
REQUESTS_PER_CLIENT = 10
ICB = "QHM"


def timed_app() -> Any:
    """ASGI factory: the real app plus a Server-Timing header with the in-app duration."""
    from gpworkforce.web.app import create_app

    app = create_app()

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        start = time.perf_counter()

        async def send_timed(message: Any) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000.0
                message.setdefault("headers", []).append((b"server-timing", f"app;dur={ms:.2f}".encode()))
            await send(message)

        await app(scope, receive, send_timed)

    return wrapper


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


@dataclass
class Load:
    """What one load measured: per-request server and client times [ms], errors, wall and CPU time."""

    server_ms: list[float] = field(default_factory=list)
    client_ms: list[float] = field(default_factory=list)
    errors: int = 0
    wall_seconds: float = 0.0
    client_cpu_seconds: float = 0.0


def load(base: str, paths: list[list[str]]) -> Load:
    """Run one client per list in ``paths``, concurrently, each asking for its paths in turn."""
    result = Load()
    asyncio.run(_load(base, paths, result))
    return result


async def _load(base: str, paths: list[list[str]], out: Load) -> None:
    import httpx

    async def client(mine: list[str], ready: asyncio.Barrier) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            # connect first, untimed: making 20 clients (SSL contexts and all) costs the load
            # generator ~0.3 s of CPU, which would otherwise land on every client's first request
            await c.get("/healthz")
            if await ready.wait() == 0:  # one client starts the clocks
                out.wall_seconds, out.client_cpu_seconds = -time.perf_counter(), -time.process_time()
            for path in mine:
                t = time.perf_counter()
                r = await c.get(path)
                out.client_ms.append((time.perf_counter() - t) * 1000.0)
                if r.status_code != 200:
                    out.errors += 1
                timing = r.headers.get("server-timing", "")
                if "dur=" in timing:
                    out.server_ms.append(float(timing.split("dur=")[1]))

    ready = asyncio.Barrier(len(paths))
    await asyncio.gather(*(client(mine, ready) for mine in paths))
    out.wall_seconds += time.perf_counter()
    out.client_cpu_seconds += time.process_time()


def scenario_path(n: int) -> str:
    """The results fragment for the n-th scenario: GP work shifted and projection year both vary."""
    return f"/org/{ICB}/results?shift_share={(n % 100) / 200 + (n // 100) / 1000:g}&year={2026 + n % 10}"


def workloads() -> list[tuple[str, list[list[str]], float]]:
    """(name, each client's paths, target p95 seconds) of the three loads (see the module docstring)."""
    page = [[f"/org/{ICB}"] * REQUESTS_PER_CLIENT for _ in range(CLIENTS)]
    # 20 scenarios (2.5% steps of GP work shifted) asked for 10 times each, clients staggered
    repeated = [[scenario_path(5 * ((i + j) % CLIENTS)) for j in range(REQUESTS_PER_CLIENT)] for i in range(CLIENTS)]
    # 200 scenarios never asked for before (1,000 and up: none shared with the loads above)
    fresh = [
        [scenario_path(1000 + i * REQUESTS_PER_CLIENT + j) for j in range(REQUESTS_PER_CLIENT)] for i in range(CLIENTS)
    ]
    return [
        (f"ICB page /org/{ICB} (full HTML)", page, 0.200),
        (f"scenario update /org/{ICB}/results (HTMX partial), 20 scenarios each asked for 10 times", repeated, 0.150),
        (f"scenario update /org/{ICB}/results (HTMX partial), every request a new scenario", fresh, 0.150),
    ]


def run(database_url: str) -> list[dict[str, Any]]:
    """Benchmark entries for bench/results.json."""
    from bench_entry import entry  # type: ignore[import-not-found]

    port = free_port()
    env = {**os.environ, "GPWORKFORCE_DATABASE_URL": database_url, "PYTHONPATH": str(HERE)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "web:timed_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--app-dir",
            str(HERE),
            "--workers",
            str(WORKERS),
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/org/{ICB}", proc)
        results = []
        for name, paths, target in workloads():
            load(base, [mine[:1] for mine in paths[:2]])  # warm-up: 2 requests
            got = load(base, paths)
            p95 = _p95(got.server_ms) / 1000.0 if got.server_ms else float("nan")
            results.append(
                entry(
                    f"p95 server time, {name}, {CLIENTS} concurrent clients",
                    p95,
                    target,
                    len(got.server_ms),
                    extra={
                        "statistic": "p95 of per-request server time (Server-Timing: app start to response headers)",
                        "median_server_seconds": statistics.median(got.server_ms) / 1000.0 if got.server_ms else None,
                        "p95_client_latency_seconds": _p95(got.client_ms) / 1000.0,
                        "median_client_latency_seconds": statistics.median(got.client_ms) / 1000.0,
                        "throughput_requests_per_second": len(got.client_ms) / got.wall_seconds,
                        "load_generator_cpu_seconds": got.client_cpu_seconds,
                        "wall_seconds": got.wall_seconds,
                        "distinct_paths": len({p for mine in paths for p in mine}),
                        "clients": CLIENTS,
                        "workers": WORKERS,
                        "requests": len(got.client_ms),
                        "errors": got.errors,
                    },
                )
            )
        return results
    finally:
        proc.terminate()
        proc.wait(10)
