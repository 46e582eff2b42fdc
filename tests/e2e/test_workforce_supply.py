"""Retirement risk and the supply projection in real Chromium: the organisation page loads them when
scrolled to, the fan chart draws (offline Plotly, nothing blocked by the CSP), the RAG table shows
NHS.UK tags with reasons, and sorting it by a column heading swaps the table in place."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from tests.national_db import national_template

from gpworkforce import store
from gpworkforce.frames import GP_AGE_BANDS

DB_TEMPLATE_ENV = "GPWORKFORCE_E2E_DB_TEMPLATE"
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective));
"""
#: GP ages for two practices of sub-ICB 16C: A81001 with 60% aged 55-59 (red), A81002 all 40-44.
AGES = {"A81001": {"55_59": 3.0, "40_44": 2.0}, "A81002": {"40_44": 4.0}}


def _with_ages(engine: Engine) -> None:
    """``prepare`` hook: GP age bands for the practices in :data:`AGES`."""
    rows = [
        {"practice_code": code, "age_band": band, "headcount": bands.get(band, 0.0)}
        for code, bands in AGES.items()
        for band in GP_AGE_BANDS
    ]
    with store.session_scope(engine, write=True) as s:
        store.save_dataset(s, "gp_age", "2026-06", pd.DataFrame(rows), "e2e_gp_age.csv")


@pytest.fixture(scope="session")
def aged_server(live_server_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    template = national_template(tmp_path_factory)
    cache = tmp_path_factory.mktemp("workforce-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(DB_TEMPLATE_ENV, str(template))
        return live_server_factory(_with_ages, env={"GPWORKFORCE_CACHE_DIR": str(cache)})


def _headcounts(page: Page) -> list[float]:
    cells = page.locator("#table-retirement tbody tr td:nth-of-type(3)").all_inner_texts()
    return [float(c.replace(",", "")) for c in cells]


def test_fan_chart_and_rag_table_load_and_sort(
    page: Page, aged_server: Any, browser_watch: Callable[[Page], Any], assert_accessible: Any
) -> None:
    page.add_init_script(COLLECT_VIOLATIONS)
    watch = browser_watch(page)
    page.goto(aged_server.url + "/org/16C")
    expect(page.locator("#chart-gap")).to_have_attribute("data-plotly-drawn", "true")
    page.locator("#workforce").scroll_into_view_if_needed()
    expect(page.locator("#table-retirement")).to_be_visible(timeout=60_000)
    red = page.locator('#table-retirement tr[data-practice="A81001"][data-role="gp"]')
    expect(red.locator(".nhsuk-tag--red")).to_have_text("Red")
    expect(red).to_contain_text("60% of GP FTE aged 55+")
    expect(red).to_contain_text("published")
    expect(page.locator("#retirement-sources-gp")).to_contain_text("2 practices published")
    page.locator("#supply-section").scroll_into_view_if_needed()
    expect(page.locator("#chart-supply-fte")).to_have_attribute("data-plotly-drawn", "true", timeout=120_000)
    traces = page.evaluate("() => document.getElementById('chart-supply-fte').data.map((t) => t.name)")
    assert "GPs: P10 to P90" in traces and "GPs: P50" in traces
    expect(page.locator("#chart-supply-gps")).to_have_attribute("data-plotly-drawn", "true")
    expect(page.locator("#supply-estimate")).to_contain_text("Estimate")

    page.locator("#retirement-section").scroll_into_view_if_needed()
    page.locator('#table-retirement a[data-sort="heads"]').click()
    heading = page.locator('#table-retirement th:has(a[data-sort="heads"])')
    expect(heading).to_have_attribute("aria-sort", "ascending")
    up = _headcounts(page)
    assert up == sorted(up) and len(up) > 2
    page.locator('#table-retirement a[data-sort="heads"]').click()
    expect(page.locator('#table-retirement th:has(a[data-sort="heads"])')).to_have_attribute("aria-sort", "descending")
    down = _headcounts(page)
    assert down == sorted(down, reverse=True) and down != up
    expect(page).to_have_url(re.compile(r"/org/16C$"))  # the dashboard's address is left alone

    page.evaluate("() => { document.getElementById('supply-section').dataset.marker = 'old'; }")
    page.locator("#supply-preset").select_option("hee-100")
    page.locator("#supply-draws").fill("50")
    page.locator("#supply-section button[type=submit]").click()
    expect(page.locator("#supply-section[data-marker]")).to_have_count(0, timeout=120_000)  # swapped in place
    expect(page.locator("#supply-draws")).to_have_value("50")
    expect(page.locator("#chart-supply-fte")).to_have_attribute("data-plotly-drawn", "true", timeout=120_000)
    title = page.evaluate("() => document.getElementById('chart-supply-fte').layout.title.text")
    assert "hee-100" in title
    assert_accessible(page)
    assert page.evaluate("() => window.__cspViolations") == []
    watch.assert_clean()
