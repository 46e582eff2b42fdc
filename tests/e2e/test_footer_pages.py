"""The footer's pages (accessibility, privacy, cookies, contact) and the sign-in page's reason,
in real Chromium: reached from every page's footer, axe clean, nothing fetched from elsewhere."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

FOOTER = {
    "Accessibility statement": ("/accessibility", "Accessibility statement for GP workforce planner"),
    "Privacy notice": ("/privacy", "Privacy notice"),
    "Cookies": ("/cookies", "Cookies"),
    "Contact and feedback": ("/contact", "Contact and feedback"),
}


def test_footer_links_lead_to_accessible_pages(
    page: Page, live_server: Any, browser_watch: Any, assert_accessible: Any
) -> None:
    watch = browser_watch(page)
    for label, (path, heading) in FOOTER.items():
        page.goto(live_server.url + "/")
        link = page.locator("footer").get_by_role("link", name=label, exact=True)
        expect(link).to_have_attribute("href", path)
        link.click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page).to_have_title(re.compile(rf"^{re.escape(label)} – "))
        assert_accessible(page)
    # The cookies page names the cookie this browser was actually given.
    page.goto(live_server.url + "/cookies")
    names = {c["name"] for c in page.context.cookies()}
    assert names, "the app set no cookie"
    table = page.locator("#cookie-table").inner_text()
    assert all(name in table for name in names), (names, table)
    watch.assert_clean()


def test_signed_out_account_explains_the_sign_in_and_returns(
    page: Page, live_server: Any, browser_watch: Any, assert_accessible: Any
) -> None:
    """(This server has no national data; /scenarios, which needs them, is tested in integration.)"""
    watch = browser_watch(page)
    page.goto(live_server.url + "/account")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/account$"))
    expect(page.locator("#sign-in-reason")).to_have_text("Sign in to see your account.")
    assert_accessible(page)
    page.locator("#email").fill(live_server.user.email)
    page.locator("#password").fill(live_server.user.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator("main")).to_contain_text(live_server.user.email)
    watch.assert_clean()
