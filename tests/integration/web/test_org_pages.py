"""Organisation pages, search, the scenario partial and downloads on all of England (TestClient).

The national database is the shared SQLite template (built once per run, see
:func:`national_template`), used read-only; the app and a separate services ``Workspace`` on it
give the numbers the pages must show.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from tests.national_db import national_template

from gpworkforce import web as web_package
from gpworkforce.reports.tables import rounded
from gpworkforce.scenario import Scenario
from gpworkforce.services.capacity import capacity_report, gap_report
from gpworkforce.services.demand import demand_report
from gpworkforce.services.versions import Workspace, open_workspace
from gpworkforce.web.app import create_app
from gpworkforce.web.formatting import fmt_number, fmt_signed
from gpworkforce.web.views import REPORT_FIELDS, relevant

#: Same folder and lock as test_corr_fixtures.national_template, so one build serves both.


@pytest.fixture(scope="module")
def national_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The template itself (these tests only read), with the array cache shared by workers."""
    path = national_template(tmp_path_factory)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GPWORKFORCE_CACHE_DIR", str(path.parent / "org-array-cache"))
        yield f"sqlite:///{path}"


@pytest.fixture(scope="module")
def client(national_url: str) -> Iterator[TestClient]:
    """The real app on England (its start-up builds the national arrays)."""
    app = create_app(national_url, secret_key=secrets.token_urlsafe(32))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def ctx(national_url: str, client: TestClient) -> Workspace:
    """An independent services context: the numbers the pages must agree with."""
    return open_workspace(national_url)


HX = {"HX-Request": "true"}


def card_value(html: str, card: str) -> str:
    match = re.search(rf'id="card-{card}-value">([^<]+)<', html)
    assert match, f"card {card} not found"
    return match.group(1)


def body_rows(table_html: str) -> list[list[str]]:
    """Cell texts of each body row (tags stripped)."""
    body = table_html.split("<tbody", 1)[1]
    rows = []
    for tr in body.split("<tr")[1:]:
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


# --- Pages at every level ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level_text", "parents"),
    [
        ("england", "England", []),
        ("Y63", "Region Y63", ["England"]),
        ("QHM", "ICB QHM", ["England", "North East and Yorkshire"]),
        ("16C", "Sub-ICB location 16C", ["England", "North East and Yorkshire", "NHS North East and North Cumbria"]),
        ("U89141", "PCN U89141", ["England", "North East and Yorkshire", "NHS North East and North Cumbria"]),
        ("A81001", "Practice A81001", ["England", "North East and Yorkshire", "NHS North East and North Cumbria"]),
    ],
)
def test_every_level_renders_with_its_numbers(
    client: TestClient, ctx: Workspace, code: str, level_text: str, parents: list[str]
) -> None:
    response = client.get(f"/org/{code}")
    assert response.status_code == 200, response.text[:2000]
    html = response.text
    assert level_text in html
    demand, gap = demand_report(ctx.version(), code), gap_report(ctx.version(), code)
    assert card_value(html, "patients") == fmt_number(demand.summary.registered_patients)
    assert card_value(html, "appointments") == fmt_number(demand.summary.appointments_per_week)
    assert card_value(html, "capacity") == fmt_number(gap.summary.capacity_per_week)
    assert card_value(html, "gap") == fmt_signed(gap.summary.gap_per_week)
    assert card_value(html, "gp-gap") == fmt_signed(gap.summary.gp_gap_per_week)
    breadcrumb = html.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    for parent in parents:
        assert parent in breadcrumb
    for chart in ("chart-pyramid", "chart-categories", "chart-demand-capacity", "chart-gap", "chart-benchmarks"):
        assert f'id="{chart}"' in html and f'id="{chart}-data"' in html
    assert html.count("<figcaption") == 5
    assert "Health Equity Evidence Centre" in html  # the HEEC-derived workforce caveat
    assert 'id="scenario-form"' in html
    if code == "A81001":
        assert 'id="table-children"' not in html  # a practice has nothing below it
    else:
        assert 'id="table-children"' in html


def test_england_shows_all_registered_patients_and_its_regions(client: TestClient) -> None:
    html = client.get("/org/england").text
    assert card_value(html, "patients") == "63,436,508"
    rows = re.findall(r'<th class="nhsuk-table__header" scope="row"><a href="/org/(Y\d\d)">', html)
    assert len(rows) == 7


def test_unknown_code_is_an_nhs_404_with_a_search_box(client: TestClient) -> None:
    response = client.get("/org/ZZZ")
    assert response.status_code == 404
    assert "Organisation not found" in response.text and 'id="search-q"' in response.text
    assert 'class="nhsuk-header' in response.text


def test_home_says_what_the_service_does_and_the_data_date(client: TestClient) -> None:
    html = client.get("/").text
    assert "July 2026" in html and 'href="/org/england"' in html and 'id="search-q"' in html


# --- Search ----------------------------------------------------------------------------------------------


def test_search_page_and_live_fragment(client: TestClient) -> None:
    page = client.get("/search", params={"q": "densham"})
    assert page.status_code == 200
    assert 'href="/org/A81001"' in page.text and "The Densham Surgery" in page.text
    assert "in Stockton PCN" in page.text  # the parent
    fragment = client.get("/search/results", params={"q": "TS24"}, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.headers["HX-Push-Url"] == "/search?q=TS24"
    assert 'hx-swap-oob="true"' in fragment.text  # the live status line
    assert "No results" in client.get("/search", params={"q": "zzzzzz"}).text


def test_search_forgives_spelling_and_postcode_spacing(client: TestClient) -> None:
    assert 'href="/org/A81001"' in client.get("/search", params={"q": "Densam"}).text
    assert 'href="/org/A81001"' in client.get("/search", params={"q": "ts181hu"}).text
    assert 'href="/org/QHM"' in client.get("/search", params={"q": "E54000050"}).text
    assert 'href="/org/16C"' in client.get("/search", params={"q": "Stockton"}).text


def test_search_results_are_paged_with_nhs_pagination(client: TestClient) -> None:
    first = client.get("/search", params={"q": "surgery"}).text
    total = int(re.search(r"(\d+) results for", first).group(1))  # type: ignore[union-attr]
    assert total > 40
    assert 'class="nhsuk-pagination nhsuk-pagination--numbered"' in first
    assert 'href="/search?q=surgery&amp;page=2" rel="next"' in first and 'rel="prev"' not in first
    assert first.count('class="app-search-results__item"') == 20
    second = client.get("/search", params={"q": "surgery", "page": "2"}).text
    assert 'aria-current="page">2<' in second and 'href="/search?q=surgery" rel="prev"' in second
    assert ": 21 to 40 (page 2 of" in second
    links = lambda html: set(re.findall(r'class="app-search-results__link" href="(/org/[^"]+)"', html))  # noqa: E731
    # page 2 is the next 20, not the first again
    assert len(links(first)) == len(links(second)) == 20 and not links(first) & links(second)
    last = client.get("/search", params={"q": "surgery", "page": "9999"}).text  # past the end: the last page
    assert 'rel="next"' not in last and 'aria-current="page"' in last
    fragment = client.get("/search/results", params={"q": "surgery", "page": "2"}, headers=HX)
    assert fragment.headers["HX-Push-Url"] == "/search?q=surgery&page=2"


def test_search_and_scenario_pages_wrap_long_strings(client: TestClient) -> None:
    page = client.get("/search", params={"q": "x" * 100}).text
    assert 'class="nhsuk-width-container app-wrap"' in page
    css = (Path(web_package.__file__).parent / "static" / "css" / "app.css").read_text()
    assert re.search(r"\.app-wrap h1,[^{]*\{\s*overflow-wrap: anywhere;", css)


def test_benchmark_wording_names_comparators(client: TestClient) -> None:
    england = client.get("/org/england").text
    assert "against ." not in england and "This england" not in england
    assert "Staff per 1,000 registered patients by staff group. " in england
    practice = client.get("/org/A81001").text
    caption = re.search(r"Staff per 1,000 registered patients by staff group, against ([^<]+)\. ", practice)
    assert caption is not None
    assert caption.group(1) == (
        "Other practices in Stockton PCN, NHS North East and North Cumbria Integrated Care Board, England"
    )  # names, not "PCN U89141" or "ICB QHM"


# --- Scenario partial -----------------------------------------------------------------------------------


def test_partial_is_only_the_results_fragment_and_pushes_the_share_link(client: TestClient) -> None:
    response = client.get("/org/QHM/results", params={"shift_share": "0.3", "panel": "1", "year": "2026"}, headers=HX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html and "nhsuk-header" not in html and 'id="scenario-form"' not in html
    assert 'id="card-gap-value"' in html and 'id="chart-gap-data"' in html
    assert response.headers["HX-Push-Url"] == "/org/QHM?shift_share=0.3"  # canonical: base year dropped
    assert 'id="results-status"' in html


def test_scenario_changes_the_gap_and_the_page_shows_the_same(client: TestClient, ctx: Workspace) -> None:
    params = {"shift_share": "0.5", "year": "2035", "added_fte.pharmacist": "20"}
    scenario = Scenario(shift_share=0.5, year=2035, added_fte={"pharmacist": 20})
    expected = gap_report(ctx.version(), "QHM", scenario).summary.gap_per_week
    baseline = gap_report(ctx.version(), "QHM").summary.gap_per_week
    partial = client.get("/org/QHM/results", params=params, headers=HX).text
    page = client.get("/org/QHM", params=params).text
    assert card_value(partial, "gap") == card_value(page, "gap") == fmt_signed(expected)
    assert fmt_signed(expected) != fmt_signed(baseline)
    assert f"Baseline: {fmt_signed(baseline)}" in partial  # baseline vs scenario beside the gap
    assert '"name":"Baseline"' in partial  # and in the gap chart


def test_capacity_standard_lever_and_the_standard_stated_by_the_gap(client: TestClient, ctx: Workspace) -> None:
    page = client.get("/org/QHM").text
    assert 'name="capacity_standard"' in page and 'value="throughput"' in page
    assert "Capacity standard: Reference slots (today&#39;s parameters), the default." in page
    params = {"capacity_standard": "throughput"}
    expected = gap_report(ctx.version(), "QHM", Scenario(capacity_standard="throughput")).summary.gap_per_week
    partial = client.get("/org/QHM/results", params={"panel": "1", **params}, headers=HX)
    assert partial.headers["HX-Push-Url"] == "/org/QHM?capacity_standard=throughput"
    assert card_value(partial.text, "gap") == fmt_signed(expected)
    assert "Capacity standard: Today&#39;s throughput (what each staff group delivered); the default is" in partial.text
    # the panel's default choice is not written into share links
    same = client.get("/org/QHM/results", params={"panel": "1", "capacity_standard": "reference"}, headers=HX)
    assert same.headers["HX-Push-Url"] == "/org/QHM"


def test_panel_checkbox_levers_only_count_when_ticked(client: TestClient) -> None:
    off = client.get("/org/QHM/results", params={"panel": "1", "dna_rate": "0.02"}, headers=HX)
    assert off.headers["HX-Push-Url"] == "/org/QHM"
    on = client.get("/org/QHM/results", params={"panel": "1", "dna_rate": "0.02", "dna_rate_set": "1"}, headers=HX)
    assert on.headers["HX-Push-Url"] == "/org/QHM?dna_rate=0.02"


def test_ticking_the_dna_box_alone_changes_nothing(client: TestClient, ctx: Workspace) -> None:
    """The DNA slider starts at exactly the rate the model uses (the notes' figure), not at the
    nearest half per cent, so ticking the box without moving it leaves every figure as it was."""
    page = client.get("/org/QHM").text
    slider = re.search(r'<input[^>]*type="range" id="[^"]*" name="dna_rate"[^>]*>', page)
    assert slider is not None
    value = float(re.search(r'value="([^"]+)"', slider.group(0)).group(1))  # type: ignore[union-attr]
    rate = ctx.version().calibration.params.dna_rate
    assert value == rate
    low, step = (float(re.search(rf'{a}="([^"]+)"', slider.group(0)).group(1)) for a in ("min", "step"))  # type: ignore[union-attr]
    assert abs((value - low) / step - round((value - low) / step)) < 1e-9  # on the browser's grid: not snapped
    assert f"{rate:.2%}" in page  # the display says the notes' rate (4.28%, not 4.5%)
    plain = client.get("/org/QHM/results", params={"panel": "1"}, headers=HX).text
    ticked = client.get(
        "/org/QHM/results", params={"panel": "1", "dna_rate": repr(value), "dna_rate_set": "1"}, headers=HX
    ).text
    for card in ("appointments", "gap"):
        assert card_value(ticked, card) == card_value(plain, card), card


@pytest.mark.parametrize(
    ("params", "label"),
    [
        ({"shift_share": "abc"}, "GP work moved to other roles"),
        ({"shift_share": "3"}, "GP work moved to other roles"),
        ({"minutes.gp": "500"}, "Slot length in minutes: GP (qualified, permanent)"),
        ({"capacity_standard": "fastest"}, "Capacity standard"),
    ],
)
def test_invalid_field_is_named_400(client: TestClient, params: dict[str, str], label: str) -> None:
    partial = client.get("/org/QHM/results", params=params, headers=HX)
    assert partial.status_code == 400
    assert label in partial.text and "nhsuk-error-summary" in partial.text
    page = client.get("/org/QHM", params=params)
    assert page.status_code == 400
    assert label in page.text and 'class="nhsuk-error-summary"' in page.text
    assert page.text.count("nhsuk-error-message") >= 1
    # An unknown field is not an error on a page (links pass through mail trackers): test_page_errors.py.


def test_children_table_sorts_server_side(client: TestClient) -> None:
    html = client.get("/org/QHM", params={"sort": "gap_per_week", "dir": "desc"}).text
    table = html.split('id="table-children"', 1)[1].split("</table>", 1)[0]
    assert 'aria-sort="descending"' in table and table.count("aria-sort=") == 1
    header = re.search(r'<th[^>]*aria-sort="descending"[^>]*>\s*<a[^>]*data-sort="(\w+)"', table)
    assert header and header.group(1) == "gap_per_week"
    gaps = [int(row[4].replace(",", "").replace("+", "")) for row in body_rows(table)]
    assert gaps == sorted(gaps, reverse=True) and len(gaps) >= 2
    fragment = client.get("/org/QHM/children", params={"sort": "patients", "dir": "asc"}, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.headers["HX-Push-Url"] == "/org/QHM?sort=patients&dir=asc"
    assert 'id="scenario-sort"' in fragment.text  # keeps the panel's hidden field in step


def test_by_practice_is_offered_and_long_lists_are_capped(client: TestClient) -> None:
    html = client.get("/org/england", params={"by": "practice"}).text
    assert "the first 300 shown" in html
    assert html.count('scope="row"><a href="/org/') == 300
    assert "/org/england/download/children.csv?by=practice" in html


# --- Downloads -----------------------------------------------------------------------------------------------


def test_csv_matches_the_gap_report(client: TestClient, ctx: Workspace) -> None:
    response = client.get("/org/QHM/download/gap_roles.csv", params={"shift_share": "0.2", "year": "2030"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="gpworkforce-QHM-gap_roles-scenario.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    exact = gap_report(ctx.version(), "QHM", Scenario(shift_share=0.2, year=2030)).frames()["roles"]
    expected = rounded(exact)  # downloads round each figure by its size (reports.tables.decimals_for)
    assert list(rows[0]) == list(expected.columns)
    assert [r["role"] for r in rows] == list(expected["role"])
    for row, (_, want) in zip(rows, expected.iterrows(), strict=True):
        for column in ("fte", "demand_per_week", "capacity_per_week", "gap_per_week"):
            assert float(row[column]) == pytest.approx(float(want[column]), rel=1e-9, abs=1e-9)
    assert float(rows[0]["demand_per_week"]) == pytest.approx(exact["demand_per_week"].iloc[0], abs=0.05)


def test_every_table_downloads(client: TestClient) -> None:
    for table in ("summary", "categories", "age_bands", "capacity_roles", "gap_roles", "benchmarks", "children"):
        for ext in ("csv", "xlsx"):
            response = client.get(f"/org/16C/download/{table}.{ext}")
            assert response.status_code == 200, (table, ext, response.text[:300])
    assert client.get("/org/16C/download/nope.csv").status_code == 404
    assert client.get("/org/ZZZ/download/summary.csv").status_code == 404
    assert client.get("/org/16C/download/summary.csv", params={"year": "1990"}).status_code == 400


def test_pages_json_and_csv_are_gzipped_but_workbooks_are_not(client: TestClient) -> None:
    gzip_only = {"Accept-Encoding": "gzip"}
    for path in ("/org/A81001", "/api/org/A81001", "/org/16C/download/children.csv"):
        response = client.get(path, headers=gzip_only)
        assert response.status_code == 200 and response.headers["content-encoding"] == "gzip", path
        assert int(response.headers["content-length"]) < len(response.content) * 0.6, path
    workbook = client.get("/org/A81001/download/capacity_roles.xlsx", headers=gzip_only)
    assert workbook.status_code == 200 and "content-encoding" not in workbook.headers
    assert workbook.content[:2] == b"PK"  # a zip file already


def test_xlsx_has_formats_frozen_header_and_notes(client: TestClient, ctx: Workspace) -> None:
    response = client.get("/org/A81001/download/capacity_roles.xlsx", params={"added_fte.gp": "1"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["capacity_roles", "notes"]
    sheet = workbook["capacity_roles"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["role", "label", "staff_group", "fte"] and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    fte_col = header.index("fte") + 1
    assert sheet.cell(2, fte_col).number_format == "#,##0.00"
    expected = capacity_report(ctx.version(), "A81001", Scenario(added_fte={"gp": 1.0})).frames()["roles"]
    assert sheet.cell(2, fte_col).value == pytest.approx(float(expected["fte"].iloc[0]))
    notes = "\n".join(str(c.value) for row in workbook["notes"].iter_rows() for c in row if c.value)
    assert "Open Government Licence v3.0" in notes and "Health Equity Evidence Centre" in notes
    assert "added_fte.gp=1" in notes


# --- Caching ---------------------------------------------------------------------------------------------------


def test_reduced_scenarios_give_the_same_demand_and_capacity(ctx: Workspace) -> None:
    """The pages compute demand and capacity with only REPORT_FIELDS: they must not differ."""
    full = Scenario(
        year=2031,
        shift_share=0.4,
        dna_rate=0.03,
        demand_change=-0.05,
        minutes={"gp": 12.0},
        added_fte={"pharmacist": 3.0, "gp": -1.0},
        capacity_standard="throughput",
        subicb_calibration=False,
        local_calibration=False,
    )
    for kind, fn in (("demand", demand_report), ("capacity", capacity_report)):
        reduced = relevant(kind, full)
        assert set(reduced.model_dump(exclude_defaults=True)) <= set(REPORT_FIELDS[kind])
        version = ctx.version()
        a, b = fn(version, "U89141", full), fn(version, "U89141", reduced)
        assert a.summary == b.summary
        for name, frame in a.frames().items():
            assert frame.equals(b.frames()[name]), (kind, name)
