"""The organisation dashboard in real Chromium on all of England: search, sliders, share links,
downloads, keyboard use, accessibility, and nothing blocked by the CSP or fetched from elsewhere.

One server per session (per xdist worker) on a copy of the national SQLite template, which is
built once per test run and shared with the integration tests (same folder and lock).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.national_db import national_template

DB_TEMPLATE_ENV = "GPWORKFORCE_E2E_DB_TEMPLATE"
MAX_TABS = 60

# Registered before any page script; init scripts are not subject to the page's CSP.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`));
"""


def _national(_engine: Any) -> None:
    """``prepare`` hook: the data come from the template copy; this only names the configuration."""


@pytest.fixture(scope="session")
def org_server(live_server_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    template = national_template(tmp_path_factory)
    cache = tmp_path_factory.mktemp("org-array-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(DB_TEMPLATE_ENV, str(template))  # copied in as this server's database only
        return live_server_factory(_national, env={"GPWORKFORCE_CACHE_DIR": str(cache)})


@pytest.fixture
def watched(page: Page, browser_watch: Callable[[Page], Any]) -> Any:
    page.add_init_script(COLLECT_VIOLATIONS)
    return browser_watch(page)


def _clean(page: Page, watch: Any) -> None:
    assert page.evaluate("() => window.__cspViolations") == []
    watch.assert_clean()


def _chart_x(page: Page, chart_id: str) -> list[Any]:
    """The x values of every trace of a drawn Plotly chart (from the div's own data)."""
    return page.evaluate(f"() => document.getElementById('{chart_id}').data.map((t) => t.x)")


def test_search_by_name_and_open_the_practice(
    page: Page, org_server: Any, watched: Any, assert_accessible: Any, screenshot: Any, count_colours: Any
) -> None:
    page.goto(org_server.url + "/")
    expect(page.locator("h1")).to_have_text("GP workforce planner")
    assert_accessible(page)
    assert count_colours(page, screenshot(page, "home")) > 8
    page.locator("#search-q").press_sequentially("densham", delay=20)
    link = page.locator("#search-results a", has_text="The Densham Surgery")
    expect(link).to_be_visible()  # live results, no form submit
    expect(page).to_have_url(re.compile(r"/search\?q=densham$"))
    expect(page.locator("#search-results")).to_contain_text("Practice")
    assert_accessible(page)
    assert count_colours(page, screenshot(page, "search")) > 8
    link.click()
    expect(page).to_have_url(re.compile(r"/org/A81001$"))
    expect(page.locator("h1")).to_have_text("The Densham Surgery")
    expect(page.locator("#card-patients-value")).to_have_text("3,733")
    _clean(page, watched)


def test_slider_updates_results_in_place_and_the_url_is_a_share_link(
    page: Page, org_server: Any, watched: Any, assert_accessible: Any, screenshot: Any, count_colours: Any
) -> None:
    page.goto(org_server.url + "/org/A81001")
    expect(page.locator("#chart-gap")).to_have_attribute("data-plotly-drawn", "true")
    for chart in ("chart-pyramid", "chart-categories", "chart-demand-capacity", "chart-benchmarks"):
        expect(page.locator(f"#{chart}")).to_have_attribute("data-plotly-drawn", "true")
    # Plotly's own PNG export stays in the modebar, with a meaningful file name.
    expect(page.locator('#chart-gap .modebar-btn[data-title="Download plot as a PNG"]')).to_have_count(1)
    config = page.evaluate("() => document.getElementById('chart-gap')._context.toImageButtonOptions")
    assert config["filename"] == "gpworkforce-A81001-gap-by-role"
    assert_accessible(page)
    assert count_colours(page, screenshot(page, "practice")) > 20

    gp_gap_before = page.locator("#card-gp-gap-value").inner_text()
    bars_before = _chart_x(page, "chart-gap")
    page.evaluate("() => { document.getElementById('chart-gap').dataset.marker = 'old'; }")
    slider = page.locator("#lever-shift_share")
    slider.focus()
    for _ in range(4):  # 0% -> 20% by keyboard
        page.keyboard.press("ArrowRight")
    expect(page.locator("#lever-shift_share-value")).to_have_text("20%")
    expect(page).to_have_url(re.compile(r"/org/A81001\?shift_share=0\.2$"))
    expect(page.locator("#card-gp-gap-value")).not_to_have_text(gp_gap_before)
    chart = page.locator("#chart-gap")
    expect(chart).to_have_attribute("data-plotly-drawn", "true")
    assert page.evaluate("() => document.getElementById('chart-gap').dataset.marker") is None  # a new plot
    assert _chart_x(page, "chart-gap") != bars_before
    expect(page.locator("#card-gap")).to_contain_text("Baseline:")
    expect(page.locator("#results-status")).to_contain_text("Results updated")
    assert page.evaluate("() => document.activeElement.id") == "lever-shift_share"  # focus stayed put
    gp_gap_after = page.locator("#card-gp-gap-value").inner_text()
    share = page.locator("#share-link").get_attribute("href")
    assert share == "/org/A81001?shift_share=0.2"

    share_url = page.url
    page.go_back()  # history: the baseline again, charts redrawn
    expect(page).to_have_url(re.compile(r"/org/A81001$"))
    expect(page.locator("#card-gp-gap-value")).to_have_text(gp_gap_before)
    expect(page.locator("#chart-gap")).to_have_attribute("data-plotly-drawn", "true")

    page.goto(share_url)  # the share link, loaded fresh: same scenario, no JavaScript needed for it
    expect(page.locator("#card-gp-gap-value")).to_have_text(gp_gap_after)
    expect(page.locator("#lever-shift_share")).to_have_value("0.2")
    _clean(page, watched)


def test_invalid_value_shows_an_error_naming_the_field(page: Page, org_server: Any, watched: Any) -> None:
    page.goto(org_server.url + "/org/U89141")
    page.locator(".app-panel__more summary").click()
    page.locator("#lever-minutes-gp").fill("500")
    error = page.locator("#results .nhsuk-error-summary")
    expect(error).to_contain_text("Slot length in minutes: GP (qualified, permanent)")
    expect(page).to_have_url(re.compile(r"/org/U89141$"))  # an invalid scenario is not pushed
    page.locator("#lever-minutes-gp").fill("12")
    expect(page.locator("#card-gap-value")).to_be_visible()
    expect(page).to_have_url(re.compile(r"minutes\.gp=12"))
    assert page.evaluate("() => window.__cspViolations") == []
    watched.assert_clean(allow_status=(400,))  # the 400 fragment was expected


def test_csv_download_has_the_numbers_on_the_page(page: Page, org_server: Any, watched: Any) -> None:
    page.goto(org_server.url + "/org/A81001?shift_share=0.3")
    link = page.locator("#results .app-downloads", has_text="the gap by role").get_by_role("link", name="CSV")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "gpworkforce-A81001-gap_roles-scenario.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = {r["role"]: r for r in csv.DictReader(io.StringIO(text))}
    assert {"role", "label", "fte", "demand_per_week", "capacity_per_week", "gap_per_week"} <= set(
        next(iter(rows.values()))
    )
    gp_gap = sum(float(rows[r]["gap_per_week"]) for r in ("gp", "gp_locum_trainee"))
    shown = page.locator("#card-gp-gap-value").inner_text()
    assert f"{gp_gap:+,.0f}".replace("+-", "-") == shown or f"{gp_gap:,.0f}" == shown
    _clean(page, watched)


def test_keyboard_only_search_and_panel(page: Page, org_server: Any, watched: Any) -> None:
    page.goto(org_server.url + "/search")
    _tab_to(page, "#search-q")
    page.keyboard.type("QHM")
    page.keyboard.press("Enter")  # the plain form submit works too
    expect(page).to_have_url(re.compile(r"/search\?q=QHM$"))
    _tab_to(page, '#search-results a[href="/org/QHM"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/org/QHM$"))

    # Every control in the panel has a label and is reached by Tab, in order.
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('#scenario-form input:not([type=hidden]), #scenario-form select')]
            .filter((el) => !el.labels || el.labels.length === 0 || !el.labels[0].textContent.trim())
            .map((el) => el.id)"""
    )
    assert unlabelled == []
    _tab_to(page, "#lever-year")
    _tab_to(page, ".app-panel__more summary")
    page.keyboard.press("Enter")  # open "More levers"
    expected = page.evaluate(
        """() => [...document.querySelectorAll('#scenario-form input:not([type=hidden]), #scenario-form select,'
              + ' #scenario-form button')].map((el) => el.id || el.textContent.trim())"""
    )
    page.locator("#lever-year").focus()
    reached = []
    for _ in range(MAX_TABS):
        element = page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()")
        if element in expected and element not in reached:
            reached.append(element)
        if element == expected[-1]:
            break
        page.keyboard.press("Tab")
    assert reached == expected
    _clean(page, watched)


def test_icb_page_is_accessible_and_sorts(
    page: Page, org_server: Any, watched: Any, assert_accessible: Any, screenshot: Any, count_colours: Any
) -> None:
    page.goto(org_server.url + "/org/QHM")
    expect(page.locator("#chart-benchmarks")).to_have_attribute("data-plotly-drawn", "true")
    expect(page.locator("#table-children")).to_be_visible()
    assert_accessible(page)
    assert count_colours(page, screenshot(page, "icb")) > 20
    page.locator("#table-children th a[data-sort='gap_per_week']").focus()
    page.keyboard.press("Enter")  # sorted by the server, swapped in place
    expect(page.locator("#table-children th[aria-sort='descending'] a[data-sort='gap_per_week']")).to_have_count(1)
    expect(page.locator("#table-children th a[data-sort='gap_per_week']")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/org/QHM\?sort=gap_per_week&dir=desc$"))
    expect(page.locator("#scenario-sort")).to_have_value("gap_per_week")  # kept when a slider moves next
    _clean(page, watched)


def test_api_docs_work_offline(page: Page, org_server: Any, watched: Any, assert_accessible: Any) -> None:
    page.goto(org_server.url + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("GP workforce planner")
    expect(page.locator(".opblock-summary-path", has_text="/api/org/{code}/gap")).to_have_count(1)
    # grouped by tag with readable summaries, not "default" and "Fte Api Put"
    for tag in ("Organisations", "Downloads", "Saved scenarios", "FTE corrections", "Audit"):
        expect(page.locator(f".opblock-tag[data-tag='{tag}']")).to_have_count(1)
    expect(page.locator(".opblock-tag[data-tag='default']")).to_have_count(0)
    expect(page.get_by_text("Correct a practice's FTE for one role (audited)")).to_have_count(1)
    assert_accessible(page)  # colour contrast too (static/css/swagger-overrides.css)
    page.locator(".opblock-summary", has_text="/api/search").first.click()  # an opened operation
    expect(page.locator(".opblock.is-open .parameters")).to_be_visible()
    assert_accessible(page)
    _clean(page, watched)


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has focus (as a keyboard user would)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} not reached with {MAX_TABS} presses of Tab")


def test_calibration_switch_and_month_update_the_results(
    page: Page, org_server: Any, watched: Any, assert_accessible: Any
) -> None:
    page.goto(org_server.url + "/org/QHM")
    expect(page.locator("#calibration-subicb")).to_have_attribute("data-state", "applied")
    expect(page.locator("#month-figure")).to_have_count(0)
    weekly = page.locator("#card-appointments-value").inner_text()
    switch = page.get_by_label("Calibrate to each sub-ICB's appointments")
    expect(switch).to_be_checked()
    switch.uncheck()  # HTMX sends the form; the unticked box means off
    expect(page).to_have_url(re.compile(r"/org/QHM\?subicb_calibration=false$"))
    expect(page.locator("#calibration-subicb")).to_have_attribute("data-state", "off")
    expect(page.locator("#card-appointments-value")).not_to_have_text(weekly)
    weekly_off = page.locator("#card-appointments-value").inner_text()

    page.get_by_label("Month", exact=True).select_option("2026-11")
    expect(page).to_have_url(re.compile(r"/org/QHM\?subicb_calibration=false&month=2026-11$"))
    expect(page.locator("#month-figure")).to_contain_text("expected appointments in November 2026")
    expect(page.locator("#month-figure")).to_contain_text("working days")
    expect(page.locator("#month-figure-value")).to_have_text(re.compile(r"^[0-9][0-9,]+$"))
    expect(page.locator("#card-appointments-value")).to_have_text(weekly_off)  # weekly figures stay
    assert_accessible(page)

    month_off = page.locator("#month-figure-value").inner_text()
    switch.check()  # the month follows the switch back on
    expect(page).to_have_url(re.compile(r"/org/QHM\?month=2026-11$"))
    expect(page.locator("#card-appointments-value")).to_have_text(weekly)
    expect(page.locator("#month-figure-value")).not_to_have_text(month_off)

    page.goto(org_server.url + "/org/QHM?subicb_calibration=false&month=2026-11")  # the share link, fresh
    expect(page.get_by_label("Calibrate to each sub-ICB's appointments")).not_to_be_checked()
    expect(page.get_by_label("Month", exact=True)).to_have_value("2026-11")
    expect(page.locator("#month-figure-value")).to_have_text(month_off)
    _clean(page, watched)
