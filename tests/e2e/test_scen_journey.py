"""Scenario journey in real Chromium: move a slider on a practice page, save two scenarios, compare."""

from __future__ import annotations

import re
from typing import Any

import test_scen_server as shared
from playwright.sync_api import Page, expect

national_server = shared.national_server  # fixture shared with test_access_*.py (one server)

HOME = "A81001"


def test_save_two_scenarios_and_compare(
    page: Page, national_server: Any, browser_watch: Any, screenshot: Any, count_colours: Any, assert_accessible: Any
) -> None:
    server = national_server
    watch = browser_watch(page)
    shared.sign_in(page, server, "pcn_lead")

    # 1. A practice page: move the "GP work moved to other roles" slider. The page updates its
    #    results (HTMX) and the save form follows the scenario.
    page.goto(f"{server.url}/org/{HOME}")
    slider = page.locator("#lever-shift_share")
    slider.fill("0.3")
    save_form = page.locator("form.app-save-scenario")
    expect(save_form.locator('input[type="hidden"][name="shift_share"]')).to_have_value("0.3", timeout=15_000)
    save_form.get_by_label("Scenario name").fill("Others take 30% of GP work")
    save_form.get_by_label("Share with colleagues in my area").check()
    save_form.get_by_role("button", name="Save scenario").click()
    expect(page).to_have_url(re.compile(r"/scenarios/[0-9a-f-]{36}$"))
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Scenario saved")
    expect(page.get_by_role("heading", level=1)).to_have_text("Others take 30% of GP work")
    dashboard = page.get_by_role("button", name="Open on the dashboard")
    expect(dashboard).to_have_attribute("href", re.compile(rf"^/org/{HOME}\?shift_share=0.3&scenario="))

    # 2. A scenario link with settings in its query string, saved from the "Save a scenario" page.
    page.goto(f"{server.url}/scenarios/new?org=U89141&year=2030&added_fte.pharmacist=2")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Added FTE: Clinical pharmacist")
    page.get_by_label("Scenario name").fill("PCN in 2030 with 2 more pharmacists")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PCN in 2030 with 2 more pharmacists")

    # 3. Both in the list; select them and compare side by side.
    page.goto(f"{server.url}/scenarios")
    assert_accessible(page)
    for name in ("Others take 30% of GP work", "PCN in 2030 with 2 more pharmacists"):
        page.get_by_role("checkbox", name=f"Compare {name}").check()
    page.get_by_role("button", name="Compare selected").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare scenarios")
    headers = page.locator("table.app-compare-table thead th")
    expect(headers).to_have_count(3)
    names = {"Others take 30% of GP work", "PCN in 2030 with 2 more pharmacists"}
    assert {headers.nth(i).inner_text().strip() for i in (1, 2)} == names  # list order: newest first
    expect(page.locator("table.app-compare-table")).to_contain_text("Practice A81001")
    expect(page.locator("table.app-compare-table")).to_contain_text("PCN U89141")
    for chart in ("#compare-headline", "#compare-roles"):
        expect(page.locator(chart)).to_have_attribute("data-plotly-drawn", "true", timeout=15_000)
    expect(page.locator("#compare-headline .legend .traces")).to_have_count(2)
    png = screenshot(page, "compare")
    assert count_colours(page, png) > 20, "the comparison screenshot is (nearly) blank"
    assert_accessible(page)

    download = page.get_by_role("button", name="Download this comparison (CSV)")
    response = page.request.get(server.url + (download.get_attribute("href") or ""))
    assert response.ok and response.headers["content-type"].startswith("text/csv")
    assert set(response.text().splitlines()[0].split(",")[1:]) == names
    excel = page.get_by_role("button", name="Download this comparison (Excel, with settings and notes)")
    response = page.request.get(server.url + (excel.get_attribute("href") or ""))
    assert response.ok and response.body()[:2] == b"PK"  # an .xlsx (zip) file
    with page.expect_download() as png:  # Plotly's own export, from a keyboard-operable button
        page.locator('[data-chart-download="compare-headline"]').click()
    assert png.value.suggested_filename == "gpworkforce-scenario-comparison.png"
    assert png.value.path().read_bytes()[:4] == b"\x89PNG"
    watch.assert_clean()
