"""Access rules in real Chromium: FTE pages and API outside scope, someone else's private scenario."""

from __future__ import annotations

from typing import Any

import test_scen_server as shared
from playwright.sync_api import Page, expect

national_server = shared.national_server  # fixture shared with test_scen_journey.py (one server)

HOME = "A81001"
OUTSIDE = "A81004"  # same ICB (QHM), another PCN: outside a practice manager's scope
NO_PERMISSION = "You do not have permission to see this page"


def test_practice_manager_fte_pages_and_api(
    page: Page, national_server: Any, browser_watch: Any, screenshot: Any, assert_accessible: Any
) -> None:
    server = national_server
    watch = browser_watch(page)
    shared.sign_in(page, server, "manager")

    # Own practice: the correction page, with every clinical role's FTE and source.
    page.goto(f"{server.url}/org/{HOME}/fte")
    expect(page.get_by_role("heading", level=1)).to_have_text("Correct FTE")
    expect(page.get_by_label("GP (qualified, permanent)")).to_be_visible()
    expect(page.locator("table.app-fte-table")).to_contain_text("workforce table")
    # Invalid input: the NHS error summary names the field and links to it (nothing is saved).
    page.get_by_label("Clinical pharmacist").fill("-2")
    page.get_by_role("button", name="Save corrections").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("FTE for Clinical pharmacist must be 0 or more")
    summary.get_by_role("link", name="FTE for Clinical pharmacist must be 0 or more").click()
    expect(page.get_by_label("Clinical pharmacist")).to_be_focused()
    screenshot(page, "fte-error")
    assert_accessible(page)

    token = shared.csrf_token(page)
    # The API refuses bad values with 422 naming the role.
    bad = page.request.put(
        f"{server.url}/api/practices/{HOME}/fte", data={"pharmacist": "lots"}, headers={"X-CSRF-Token": token}
    )
    assert bad.status == 422 and bad.json()["detail"][0]["loc"] == ["body", "pharmacist"]

    # A practice outside the manager's scope: 403 page, and 403 from the API with a valid token.
    response = page.goto(f"{server.url}/org/{OUTSIDE}/fte")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(NO_PERMISSION)
    assert_accessible(page)
    api = page.request.put(f"{server.url}/api/practices/{OUTSIDE}/fte", data={"gp": 5}, headers={"X-CSRF-Token": token})
    assert api.status == 403 and "outside your organisation" in api.json()["detail"]
    assert page.request.get(f"{server.url}/api/practices/{OUTSIDE}/fte").status == 403
    watch.assert_clean(allow_status=(400, 403))


def test_someone_elses_private_scenario_link_is_403(page: Page, national_server: Any, browser_watch: Any) -> None:
    server = national_server
    watch = browser_watch(page)
    shared.sign_in(page, server, "pcn_lead")
    slug = shared.PRIVATE_SCENARIO["slug"]
    response = page.goto(f"{server.url}/scenarios/{slug}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(NO_PERMISSION)
    expect(page.locator("main")).not_to_contain_text("Stranger's private plan")
    assert page.request.get(f"{server.url}/api/scenarios/{slug}").status == 403
    watch.assert_clean(allow_status=(403,))
