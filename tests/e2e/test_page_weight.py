"""Page weight in real Chromium: a first visit to an organisation page under 1.5 MB, a repeat
visit under 300 KB (issue 10; was about 5 MB every visit). Bytes are Chromium's own count of what
came over the wire (DevTools ``encodedDataLength``), measured by bench/page_weight.py's
``measure_visits``, which ``make bench`` uses too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bench.page_weight import FIRST_VISIT_TARGET_BYTES, REPEAT_VISIT_TARGET_BYTES, measure_visits
from playwright.sync_api import Browser
from tests.national_db import national_template

DB_TEMPLATE_ENV = "GPWORKFORCE_E2E_DB_TEMPLATE"


def _national(_engine: Any) -> None:
    """``prepare`` hook: the data come from the template copy."""


@pytest.fixture(scope="module")
def national_server(live_server_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    template = national_template(tmp_path_factory)
    cache = tmp_path_factory.mktemp("weight-array-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(DB_TEMPLATE_ENV, str(template))
        return live_server_factory(_national, env={"GPWORKFORCE_CACHE_DIR": str(cache)})


@pytest.mark.parametrize("path", ["/org/A81001", "/org/QHM"])
def test_first_and_repeat_visit_transfer_sizes(browser: Browser, national_server: Any, path: str) -> None:
    context = browser.new_context()
    try:
        first, repeat = measure_visits(context, national_server.url + path)
    finally:
        context.close()
    url = national_server.url
    plotly = next(u for u in first.by_url if "plotly-basic.min.js" in u)
    summary = {u.removeprefix(url): n for u, n in sorted(first.by_url.items(), key=lambda kv: -kv[1])}
    print(
        f"{path}: first visit {first.transferred:,} B in {first.requests} requests, "
        f"repeat {repeat.transferred:,} B in {repeat.requests}; largest {list(summary.items())[:4]}"
    )
    assert first.statuses[url + path] == 200 and repeat.statuses[url + path] == 200
    assert first.by_url[plotly] < 500_000  # the partial bundle, gzipped
    assert first.transferred < FIRST_VISIT_TARGET_BYTES, summary
    # The repeat visit fetched the page again; every asset came from the cache (0 bytes).
    fetched = {u.removeprefix(url): n for u, n in repeat.by_url.items() if n > 0}
    # Except the favicon: Chromium's favicon loader does its own fetch (1 KB).
    assert [u for u in fetched if u.startswith("/static/") and "favicon" not in u] == [], fetched
    assert repeat.transferred < REPEAT_VISIT_TARGET_BYTES, repeat.by_url
