"""Printing an organisation page (real Chromium, print media): a clean A4 summary.

The scenario form, buttons, navigation and skip link are hidden; charts fit the page width;
and Chromium's own PDF of a practice page (A81001) is at most 3 A4 pages (it was 8).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect
from test_org_dashboard import _national, org_server  # noqa: F401  (the same server, started once)

#: The issue's target: a practice page prints on at most this many A4 pages.
MAX_PRACTICE_PAGES = 3
CHARTS = ("chart-pyramid", "chart-categories", "chart-demand-capacity", "chart-gap", "chart-benchmarks")
#: A page object in a PDF (``/Type /Pages`` is the page tree, not a page).
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF: pypdf when installed, else the page objects Chromium writes uncompressed."""
    try:
        from io import BytesIO

        from pypdf import PdfReader
    except ImportError:
        return len(PDF_PAGE.findall(pdf))
    return len(PdfReader(BytesIO(pdf)).pages)


def _open_practice(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url + "/org/A81001")
    for chart in CHARTS:
        expect(page.locator(f"#{chart}")).to_have_attribute("data-plotly-drawn", "true")


def test_print_hides_the_form_and_controls(page: Page, org_server: Any) -> None:  # noqa: F811
    _open_practice(page, org_server.url)
    expect(page.locator("#scenario-form")).to_be_visible()
    page.emulate_media(media="print")
    for selector in ("#scenario-form", ".nhsuk-skip-link", ".nhsuk-header__navigation", ".nhsuk-breadcrumb",
                     ".nhsuk-header__account", ".modebar", ".app-chart__actions"):  # fmt: skip
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#card-patients-value")).to_be_visible()
    # No link prints its address after its text (NHS.UK frontend's print rule does, for every link).
    after = page.evaluate(
        """() => [...document.querySelectorAll('main a[href]')]
              .map((a) => getComputedStyle(a, '::after').content)
              .filter((c) => c && c !== 'none' && c !== 'normal' && c.includes('('))"""
    )
    assert after == []


def _settled_chart_widths(page: Page) -> list[float]:
    """Drawn widths [CSS px] of the visible charts once Plotly has redrawn them for print media."""
    script = """() => [...document.querySelectorAll('.js-plotly-plot')]
        .filter((el) => el.offsetParent !== null)
        .map((el) => Number(el.querySelector('.main-svg').getAttribute('width')))"""
    widths: list[float] = page.evaluate(script)
    for _ in range(20):  # Plotly follows its box's width after a resize; wait until it stops
        page.wait_for_timeout(150)
        now: list[float] = page.evaluate(script)
        if now == widths:
            break
        widths = now
    return widths


def test_practice_prints_on_at_most_three_a4_pages_with_charts_inside(page: Page, org_server: Any) -> None:  # noqa: F811
    _open_practice(page, org_server.url)
    page.emulate_media(media="print")
    widths = _settled_chart_widths(page)
    assert widths, "no chart prints"
    pdf = page.pdf(format="A4", print_background=True)
    pages = pdf_page_count(pdf)
    assert 1 <= pages <= MAX_PRACTICE_PAGES, f"A81001 prints on {pages} A4 pages"
    # Every chart fits the printed width: A4 less print.css's 12 mm margins, at the page's zoom.
    zoom = page.evaluate(
        "() => [document.documentElement, document.querySelector('.app-chart')]"
        ".map((el) => Number(getComputedStyle(el).zoom)).reduce((a, b) => a * b, 1)"
    )
    printable = (210 - 2 * 12) / 25.4 * 96  # [px]
    for width in widths:
        assert 0 < width * zoom <= printable, f"a chart {width:.0f}px wide (x{zoom:.2f}) is cut off on paper"
