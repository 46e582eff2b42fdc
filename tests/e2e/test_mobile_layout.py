"""Phone and laptop widths in real Chromium: no organisation page wider than the screen, the
scenario's key figures in view after a slider moves on a phone, and charts whose title, subtitle,
legend and toolbar never overlap (issue 10, "Use").

Runs on the national server of test_org_dashboard.py (same ``prepare`` hook, so the same server).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from test_org_dashboard import org_server  # noqa: F401  (fixture: the national server)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
#: A practice and every level above it: Densham Surgery, Stockton PCN, 16C, NENC ICB, NE and Yorkshire.
PAGES = ("A81001", "U89141", "16C", "QHM", "Y63", "england")
CHARTS = ("chart-pyramid", "chart-categories", "chart-demand-capacity", "chart-gap", "chart-benchmarks")

BOXES = """(id) => {
  const plot = document.getElementById(id);
  const box = (selector) => Array.from(plot.querySelectorAll(selector))
    .map((n) => n.getBoundingClientRect())
    .filter((r) => r.width > 0 && r.height > 0)
    .map((r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom}));
  return {title: box('.gtitle'), subtitle: box('.gtitle-subtitle'), legend: box('.legend'),
          modebar: box('.modebar'), xtitle: box('.g-xtitle text'), plot: box('.nsewdrag')};
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.fixture
def new_page(browser: Browser) -> Callable[[dict[str, int]], Page]:
    contexts: list[Any] = []

    def make(viewport: dict[str, int]) -> Page:
        context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        contexts.append(context)
        return context.new_page()

    yield make  # type: ignore[misc]
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_no_organisation_page_is_wider_than_the_screen(
    org_server: Any,  # noqa: F811
    new_page: Callable[[dict[str, int]], Page],
    viewport: dict[str, int],
) -> None:
    page = new_page(viewport)
    widths = {}
    for code in PAGES:
        page.goto(f"{org_server.url}/org/{code}")
        expect(page.locator("#chart-gap")).to_have_attribute("data-plotly-drawn", "true", timeout=30_000)
        widths[code] = page.evaluate("() => document.documentElement.scrollWidth")
        if code != "A81001":  # the table of organisations below, sortable: hidden text must stay in its box
            assert page.locator("#table-children .app-sort-link").count() > 0, code
    assert widths == {code: viewport["width"] for code in PAGES}, f"pages wider than {viewport['width']} px: {widths}"


def test_long_unbroken_names_wrap_instead_of_widening_the_page(
    org_server: Any,  # noqa: F811
    new_page: Callable[[dict[str, int]], Page],
) -> None:
    page = new_page(PHONE)
    page.goto(f"{org_server.url}/org/A81001")
    page.evaluate("() => { document.querySelector('h1').textContent = 'W'.repeat(120); }")
    assert page.evaluate("() => document.documentElement.scrollWidth") == PHONE["width"]


def test_scenario_results_stay_in_view_when_a_slider_moves_on_a_phone(
    org_server: Any,  # noqa: F811
    new_page: Callable[[dict[str, int]], Page],
    assert_accessible: Any,
    screenshot: Any,
) -> None:
    page = new_page(PHONE)
    page.goto(f"{org_server.url}/org/A81001?year=2030")  # a projection: the growth rate counts
    expect(page.locator("#chart-gap")).to_have_attribute("data-plotly-drawn", "true", timeout=30_000)
    key = page.locator("#key-gp-gap-value")
    expect(key).to_have_text(page.locator("#card-gp-gap-value").inner_text())
    before = key.inner_text()
    slider = page.locator("#lever-growth_rate")  # the lowest slider, scrolled to the foot of the screen
    slider.evaluate("(el) => window.scrollTo(0, el.getBoundingClientRect().bottom + window.scrollY - innerHeight + 24)")
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#lever-growth_rate-value")).not_to_have_text("0.0%")
    expect(key).not_to_have_text(before)  # the HTMX update arrived
    expect(page.locator("#results-status")).to_contain_text(f"GP gap {key.inner_text()} a week")
    assert key.inner_text() == page.locator("#card-gp-gap-value").inner_text()  # the same figure as the card

    def in_view(box: dict[str, float] | None) -> bool:
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]

    assert in_view(key.bounding_box()), f"key figure off screen: {key.bounding_box()}"
    assert in_view(page.locator("#key-gap-value").bounding_box())
    assert in_view(slider.bounding_box())
    # ...and the slider is not hidden under the sticky figures
    box = slider.bounding_box()
    assert box is not None
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).id", [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
    )
    assert on_top == "lever-growth_rate"
    screenshot(page, "phone-slider")
    assert_accessible(page)


def test_key_figures_are_not_repeated_beside_the_results_on_a_laptop(
    org_server: Any,  # noqa: F811
    new_page: Callable[[dict[str, int]], Page],
) -> None:
    page = new_page(LAPTOP)
    page.goto(f"{org_server.url}/org/A81001")
    expect(page.locator("#key-figures")).to_be_hidden()
    expect(page.locator("#card-gp-gap-value")).to_be_visible()


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("code", ["A81001", "U89141"])
def test_chart_titles_legends_and_toolbars_do_not_overlap(
    org_server: Any,  # noqa: F811
    new_page: Callable[[dict[str, int]], Page],
    viewport: dict[str, int],
    code: str,
) -> None:
    page = new_page(viewport)
    page.goto(f"{org_server.url}/org/{code}?shift_share=0.2")  # the gap chart with its baseline legend
    for chart in CHARTS:
        plot = page.locator(f"#{chart}")
        expect(plot).to_have_attribute("data-plotly-drawn", "true", timeout=30_000)
        plot.locator(".nsewdrag").first.hover()  # the modebar shows on hover
        expect(plot.locator(".modebar")).to_be_visible()
        assert plot.locator(".modebar-btn").count() == 1  # only "Download plot as a PNG"
        boxes = page.evaluate(BOXES, chart)
        parts = {name: boxes[name] for name in ("title", "subtitle", "legend", "modebar", "xtitle", "plot")}
        assert parts["title"] and parts["subtitle"] and parts["modebar"], (chart, parts)
        names = list(parts)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                for ra in parts[a]:
                    for rb in parts[b]:
                        if {a, b} == {"xtitle", "plot"}:
                            continue
                        assert not _overlap(ra, rb), f"{chart} at {viewport['width']} px: {a} {ra} overlaps {b} {rb}"
