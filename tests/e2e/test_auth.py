"""Sign-in journey in real Chromium: keyboard only, error summary, accessibility, no outside requests."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

MAX_TABS = 30


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has focus (as a keyboard user would)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"{selector} not reached with {MAX_TABS} presses of Tab")


def test_home_page_renders(
    page: Page, live_server, browser_watch, screenshot, count_colours, assert_accessible
) -> None:
    watch = browser_watch(page)
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile(r"GP workforce planner"))
    expect(page.locator("header.nhsuk-header .nhsuk-header__service-name")).to_have_text("GP workforce planner")
    expect(page.locator("footer")).to_contain_text(
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Source: NHS England (NHS Digital); OHID Fingertips."
    )
    # NHS.UK frontend JS ran (it is an ES module) and the CSS loaded (Arial, not the browser's serif).
    expect(page.locator("body")).to_have_class(re.compile(r"nhsuk-frontend-supported"))
    font = page.evaluate("() => getComputedStyle(document.body).fontFamily")
    assert "arial" in font.lower()
    png = screenshot(page, "home")
    assert count_colours(page, png) > 8, "the home page screenshot is (nearly) blank"
    assert_accessible(page)
    watch.assert_clean()


def test_keyboard_only_sign_in_and_out(page: Page, live_server, browser_watch, screenshot) -> None:
    watch = browser_watch(page)
    page.goto(live_server.url + "/account")  # not signed in: sent to sign-in, then back here
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/account$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    _tab_to(page, "#email")
    page.keyboard.type(live_server.user.email)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "password"
    page.keyboard.type(live_server.user.password)
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.url + "/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text(live_server.user.email)
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Practice manager")
    expect(page.locator(".nhsuk-header__account-link")).to_contain_text(live_server.user.email)
    screenshot(page, "account")

    _tab_to(page, "button.nhsuk-header__account-button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/sign-in")
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("You have signed out")
    page.goto(live_server.url + "/account")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/account$"))
    watch.assert_clean()


def test_wrong_password_shows_error_summary(
    page: Page, live_server, browser_watch, screenshot, assert_accessible
) -> None:
    watch = browser_watch(page)
    page.goto(live_server.url + "/sign-in")
    assert_accessible(page)
    page.get_by_label("Email address").fill("nobody@example.org")  # unknown: no lock on the real user
    page.get_by_label("Password", exact=True).fill("not the right password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct email address and password")
    expect(summary).to_be_focused()  # NHS.UK frontend moves focus to the summary
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    expect(page.get_by_label("Email address")).to_have_value("nobody@example.org")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    screenshot(page, "sign-in-error")
    assert_accessible(page)
    watch.assert_clean(allow_status=(400,))  # the failed sign-in answers 400 on purpose


def test_empty_form_links_errors_to_fields(page: Page, live_server) -> None:
    page.goto(live_server.url + "/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("link", name="Enter your email address")).to_have_attribute("href", "#email")
    expect(summary.get_by_role("link", name="Enter your password")).to_have_attribute("href", "#password")
    expect(page.locator("#email")).to_have_attribute("aria-describedby", "email-error")
    summary.get_by_role("link", name="Enter your password").click()
    expect(page.locator("#password")).to_be_focused()


def test_error_pages_are_nhs_style(page: Page, live_server, assert_accessible) -> None:
    response = page.goto(live_server.url + "/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("header.nhsuk-header")).to_be_visible()
    assert_accessible(page)
