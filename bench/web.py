"""Web benchmark: p95 server time for an ICB page and a scenario update, 20 concurrent clients.

Starts the real app under uvicorn with one worker (as ``gpworkforce serve`` does by default)
on a free loopback port, wrapped in a middleware that reports the time spent inside the app in a
`Server-Timing` header, and drives it with 20 concurrent httpx clients. Both the server time
(what the targets are about) and the latency the clients saw (server time plus queueing on
2 cores) are recorded. Called by bench/run.py with the URL of a database holding England.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLIENTS = 20
#: One worker, the `gpworkforce serve` default. Two workers measured worse here (ICB page p95 0.72 s
#: against 0.07 s): each worker builds its own caches, and the second warms up under load.
WORKERS = 1
REQUESTS_PER_CLIENT = 10


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


async def _load(base: str, paths: list[str]) -> tuple[list[float], list[float], int]:
    import httpx

    server_ms: list[float] = []
    client_ms: list[float] = []
    errors = 0

    async def client(i: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            for j in range(REQUESTS_PER_CLIENT):
                path = paths[(i + j) % len(paths)]
                t = time.perf_counter()
                r = await c.get(path)
                client_ms.append((time.perf_counter() - t) * 1000.0)
                if r.status_code != 200:
                    errors += 1
                timing = r.headers.get("server-timing", "")
                if "dur=" in timing:
                    server_ms.append(float(timing.split("dur=")[1]))

    await asyncio.gather(*(client(i) for i in range(CLIENTS)))
    return server_ms, client_ms, errors


def run(database_url: str) -> list[dict[str, Any]]:
    """Benchmark entries for bench/results.json."""
    from bench_entry import entry  # type: ignore[import-not-found]

    port = _free_port()
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
        import httpx

        icb = "QHM"
        deadline = time.time() + 180
        while True:
            try:
                if httpx.get(f"{base}/org/{icb}", timeout=60).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError("web server did not start")
            time.sleep(0.5)
        page_paths = [f"/org/{icb}"]
        scenario_paths = [f"/org/{icb}/results?shift_share={s / 20:g}&year={2026 + s % 10}" for s in range(20)]
        results = []
        for name, paths, target in (
            (f"ICB page /org/{icb} (full HTML)", page_paths, 0.200),
            (f"scenario update /org/{icb}/results (HTMX partial)", scenario_paths, 0.150),
        ):
            asyncio.run(_load(base, paths[:2]))  # warm-up
            server_ms, client_ms, errors = asyncio.run(_load(base, paths))
            p95 = _p95(server_ms) / 1000.0 if server_ms else float("nan")
            results.append(
                entry(
                    f"p95 server time, {name}, {CLIENTS} concurrent clients",
                    p95,
                    target,
                    len(server_ms),
                    extra={
                        "statistic": "p95 of per-request server time (Server-Timing)",
                        "median_server_seconds": statistics.median(server_ms) / 1000.0 if server_ms else None,
                        "p95_client_latency_seconds": _p95(client_ms) / 1000.0,
                        "clients": CLIENTS,
                        "workers": WORKERS,
                        "requests": len(client_ms),
                        "errors": errors,
                    },
                )
            )
        return results
    finally:
        proc.terminate()
        proc.wait(10)
