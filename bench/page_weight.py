"""Page weight: bytes a real Chromium transfers for an organisation page, first and repeat visit.

Targets (issue 10): a first visit (empty cache: HTML and every asset, compressed as sent) under
1.5 MB, a repeat visit (assets from the cache, the page itself again: pages are ``no-store``)
under 300 KB. Bytes are Chromium's own count from the DevTools Network domain
(``Network.loadingFinished.encodedDataLength``: what came over the wire for each request,
headers included), summed over every request the visit made until the network was idle.

``measure_visits`` is shared with the browser test ``tests/e2e/test_page_weight.py``; ``run`` is
called by bench/run.py with the URL of a database holding England and starts its own server.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

FIRST_VISIT_TARGET_BYTES = 1_500_000
REPEAT_VISIT_TARGET_BYTES = 300_000
PAGES = ("/org/A81001", "/org/QHM")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@dataclass
class Visit:
    """One navigation: bytes over the wire, request count, seconds to network idle, per URL."""

    transferred: int = 0
    requests: int = 0
    seconds: float = 0.0
    by_url: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)


def _visit(page: Any, cdp: Any, url: str) -> Visit:
    visit, urls = Visit(), {}

    def on_response(event: dict[str, Any]) -> None:
        urls[event["requestId"]] = event["response"]["url"]
        visit.statuses[event["response"]["url"]] = int(event["response"]["status"])

    def on_finished(event: dict[str, Any]) -> None:
        size = int(event["encodedDataLength"])
        visit.transferred += size
        visit.requests += 1
        key = urls.get(event["requestId"], event["requestId"])
        visit.by_url[key] = visit.by_url.get(key, 0) + size

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    start = time.perf_counter()
    page.goto(url, wait_until="networkidle")
    visit.seconds = time.perf_counter() - start
    cdp.remove_listener("Network.responseReceived", on_response)
    cdp.remove_listener("Network.loadingFinished", on_finished)
    return visit


def measure_visits(context: Any, url: str) -> tuple[Visit, Visit]:
    """A first visit to ``url`` in ``context`` (a fresh Playwright browser context: empty cache),
    then a repeat visit (a new navigation to the same address, as when following a link back)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    try:
        return _visit(page, cdp, url), _visit(page, cdp, url)
    finally:
        page.close()


def run(database_url: str) -> list[dict[str, Any]]:
    """Benchmark entries (bytes, not seconds: ``seconds`` is the time to network idle)."""
    from bench_entry import machine  # type: ignore[import-not-found]
    from playwright.sync_api import sync_playwright
    from serving import free_port, wait_until_up  # bench/ is on the path when run, not when a test imports this

    port = free_port()
    env = {**os.environ, "GPWORKFORCE_DATABASE_URL": database_url}
    args = ["--factory", "gpworkforce.web.app:create_app", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", *args, "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        wait_until_up(f"{base}/healthz", proc)
        results: list[dict[str, Any]] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"])
            try:
                for path in PAGES:
                    httpx.get(base + path, timeout=120)  # warm the server's caches: bytes, not speed
                    context = browser.new_context()
                    first, repeat = measure_visits(context, base + path)
                    context.close()
                    for label, visit, target in (
                        ("first visit (empty cache)", first, FIRST_VISIT_TARGET_BYTES),
                        ("repeat visit (assets cached)", repeat, REPEAT_VISIT_TARGET_BYTES),
                    ):
                        results.append(
                            {
                                "name": f"page weight, {path}, {label}: bytes transferred",
                                "seconds": visit.seconds,
                                "target_seconds": None,
                                "bytes": visit.transferred,
                                "target_bytes": target,
                                "requests": visit.requests,
                                "statistic": "sum of Chromium's Network.loadingFinished encodedDataLength",
                                "largest": {
                                    u.removeprefix(base): n
                                    for u, n in sorted(visit.by_url.items(), key=lambda kv: -kv[1])[:4]
                                },
                                "passed": visit.transferred <= target,
                                "machine": machine(),
                                "runs": 1,
                            }
                        )
            finally:
                browser.close()
        return results
    finally:
        proc.terminate()
        proc.wait(10)
