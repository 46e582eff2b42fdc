"""Trust in real Chromium: a corrected FTE is labelled on the public page, an estimated-FTE practice
is flagged on its page and in its PCN's table, and the methodology page is axe clean."""

from __future__ import annotations

from typing import Any

import test_scen_server as shared
from playwright.sync_api import Page, expect

national_server = shared.national_server  # fixture shared with test_scen_journey.py (one server)

HOME = "A81001"
ESTIMATED = "C82670"  # no workforce record at all in the shipped snapshot: every staff group estimated


def test_corrected_fte_is_labelled_on_the_public_page(
    page: Page, browser: Any, national_server: Any, browser_watch: Any, assert_accessible: Any
) -> None:
    server = national_server
    watch = browser_watch(page)
    shared.sign_in(page, server, "manager")
    token = shared.csrf_token(page)
    put = page.request.put(f"{server.url}/api/practices/{HOME}/fte", data={"gp": 8.5}, headers={"X-CSRF-Token": token})
    assert put.status == 200
    try:
        public = browser.new_context().new_page()  # signed out: what anyone sees
        public.goto(f"{server.url}/org/{HOME}")
        notice = public.locator("#fte-provenance")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("FTE corrected")
        expect(notice).to_contain_text(f"{HOME} by Practice manager, {HOME}")
        expect(public.locator("#card-capacity")).to_contain_text("corrected")
        public.close()
    finally:
        undo = page.request.put(
            f"{server.url}/api/practices/{HOME}/fte", data={"gp": None}, headers={"X-CSRF-Token": token}
        )
        assert undo.status == 200
    watch.assert_clean()


def test_estimated_practice_is_flagged_on_its_page_and_in_its_pcn_table(
    page: Page, national_server: Any, browser_watch: Any, assert_accessible: Any
) -> None:
    server = national_server
    watch = browser_watch(page)
    page.goto(f"{server.url}/org/{ESTIMATED}")
    notice = page.locator("#fte-provenance")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("FTE estimated")
    pcn = page.locator("nav.nhsuk-breadcrumb a.nhsuk-breadcrumb__link").last.get_attribute("href")
    assert pcn and pcn.startswith("/org/")
    page.goto(f"{server.url}{pcn}")
    tag = page.locator(f'[data-fte-flag="{ESTIMATED}"]')
    expect(tag).to_be_visible()
    expect(tag).to_have_text("FTE estimated")
    expect(page.locator("#children-legend")).to_contain_text("FTE estimated:")
    assert_accessible(page)

    page.goto(f"{server.url}/methodology")
    expect(page.get_by_role("heading", level=1)).to_have_text("How the figures are worked out")
    expect(page.locator("#data-dates")).to_contain_text("July 2026")
    assert_accessible(page)
    watch.assert_clean()
