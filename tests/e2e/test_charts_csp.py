"""Plotly and htmx under the production CSP: charts render, htmx posts carry the CSRF token."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

E2E_DIR = Path(__file__).resolve().parent

# Registered before any page script; init scripts are not subject to the page's CSP.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sample || ''} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`));
"""


def test_plotly_charts_render_under_csp(
    page: Page, live_server_factory, browser_watch, screenshot, count_colours
) -> None:
    server = live_server_factory(app_factory="e2e_test_app:create_app", app_dir=E2E_DIR)
    watch = browser_watch(page)
    page.add_init_script(COLLECT_VIOLATIONS)
    response = page.goto(server.url + "/__e2e__/chart")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]

    for chart_id in ("bar", "line", "hbar", "dict"):
        expect(page.locator(f"#{chart_id}")).to_have_attribute("data-plotly-drawn", "true")
        expect(page.locator(f"#{chart_id} .main-svg").first).to_be_visible()
    # The global rules came from /vendor/plotly.css: the plot layers are stacked absolutely.
    position = page.evaluate("() => getComputedStyle(document.querySelector('#bar .main-svg')).position")
    assert position == "absolute"
    # The caption containing "</script>" did not break out of the JSON block.
    expect(page.locator("figcaption").nth(2)).to_have_text("A horizontal bar chart</script>")

    # Hovering shows the modebar and tooltips, which add more styles.
    page.hover("#bar .nsewdrag")
    expect(page.locator("#bar .modebar")).to_be_visible()
    page.mouse.move(10, 10)
    assert page.evaluate("() => window.__cspViolations") == []
    png = screenshot(page, "charts")
    assert count_colours(page, png) > 20
    watch.assert_clean()


def test_htmx_post_carries_the_csrf_header(page: Page, live_server_factory, browser_watch) -> None:
    server = live_server_factory(app_factory="e2e_test_app:create_app", app_dir=E2E_DIR)
    watch = browser_watch(page)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(server.url + "/__e2e__/htmx")
    with page.expect_request("**/__e2e__/htmx") as posted:
        page.get_by_role("button", name="Send").click()
    assert posted.value.method == "POST"
    assert posted.value.headers.get("x-csrf-token")
    expect(page.locator("#result")).to_have_text("Sent with a valid CSRF token")
    assert page.evaluate("() => window.__cspViolations") == []
    watch.assert_clean()
