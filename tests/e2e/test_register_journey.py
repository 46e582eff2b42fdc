"""The staff register in real Chromium: add a staff member, record a leaver, open a vacancy, see the
dashboard and the practice's retirement RAG change, fill the downloaded Excel template and import
it; a practice manager cannot see another practice's staff by page, API or export.

Its own server (all of England loaded, as test_scen_server's), so the register it writes never
changes another test's figures.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from test_scen_server import TEMPLATE_ENV, _national_template

from gpworkforce.services.accounts import create_user
from gpworkforce.store import session_scope

HOME = "A81001"
OTHER = "A81004"  # same ICB, another PCN
ACCOUNTS: dict[str, tuple[str, str]] = {}
_STATE: dict[str, Any] = {}


def _accounts(engine: Engine) -> None:
    with session_scope(engine) as session:
        for key, org in (("home", HOME), ("other", OTHER)):
            email, password = f"e2e.register.{key}@example.org", secrets.token_urlsafe(18)
            create_user(session, email, password, "practice_manager", org)
            ACCOUNTS[key] = (email, password)


@pytest.fixture(scope="session")
def register_server(live_server_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    if "server" not in _STATE:
        template = _national_template(tmp_path_factory)
        previous = os.environ.get(TEMPLATE_ENV)
        os.environ[TEMPLATE_ENV] = str(template)
        try:
            cache = str(tmp_path_factory.mktemp("e2e-register-cache"))
            _STATE["server"] = live_server_factory(_accounts, env={"GPWORKFORCE_CACHE_DIR": cache})
        finally:
            if previous is None:
                os.environ.pop(TEMPLATE_ENV, None)
            else:
                os.environ[TEMPLATE_ENV] = previous
    return _STATE["server"]


def _sign_in(page: Page, server: Any, who: str) -> None:
    email, password = ACCOUNTS[who]
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-header__account-link")).to_contain_text(email)


def _gp_rag(page: Page, server: Any) -> dict[str, Any]:
    answer = page.request.get(f"{server.url}/api/org/{HOME}/retirement")
    assert answer.status == 200, answer.text()
    rows = answer.json()["tables"]["practices"]
    return next(r for r in rows if r["role"] == "gp")


def _add(
    page: Page, role: str, contract: str, fte: str, start: str, ref: str, *, born: str = "", band: str = ""
) -> None:
    form = page.locator("#add-form")
    form.get_by_label("Role").select_option(label=role)
    form.get_by_label("Contract type").select_option(value=contract)
    form.get_by_label("FTE").fill(fte)
    form.get_by_label("Year of birth").fill(born)
    if band:
        form.get_by_label("Age band").select_option(value=band)
    form.get_by_label("Start date").fill(start)
    form.get_by_label("Local reference (optional)").fill(ref)
    form.get_by_role("button", name="Add staff member").click()


def test_register_journey(
    page: Page, register_server: Any, browser_watch: Any, screenshot: Any, assert_accessible: Any, tmp_path: Path
) -> None:
    server = register_server
    watch = browser_watch(page)
    _sign_in(page, server, "home")
    before = _gp_rag(page, server)
    assert before["rag"] == "no age data"  # the snapshot has no GP ages

    # From the practice page's link to the register.
    page.goto(f"{server.url}/org/{HOME}")
    page.get_by_role("link", name="Staff register and monthly dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff register")

    # Bad input: the error summary names the fields; nothing is added.
    _add(page, "GP (qualified, permanent)", "partner", "3", "2010-04-01", "GP1", born="2020")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("FTE:")
    expect(summary).to_contain_text("Year of birth:")
    assert_accessible(page)

    year = datetime.now(UTC).year
    today = datetime.now(UTC).date().isoformat()
    _add(page, "GP (qualified, permanent)", "partner", "1", "2010-04-01", "GP1", born=str(year - 62))
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Added")
    _add(page, "Practice nurse", "salaried", "0.8", "2018-01-01", "PN1", band="40_44")
    expect(page.locator("table.app-register-staff")).to_contain_text("PN1")

    # Record the nurse as a leaver today.
    page.locator("table.app-register-staff tr", has_text="PN1").get_by_role(
        "link", name="Edit or record leaving"
    ).click()
    page.get_by_label("Last day worked").fill(today)
    page.get_by_label("Why they left").select_option(value="other")
    page.get_by_role("button", name="Record leaver").click()
    expect(page.locator("table.app-register-leavers")).to_contain_text("PN1")

    # Open a vacancy for the post.
    vacancy = page.locator("#vacancy-form")
    vacancy.get_by_label("Role").select_option(label="Practice nurse")
    vacancy.get_by_label("FTE").fill("0.8")
    vacancy.get_by_label("Date opened").fill(today)
    vacancy.get_by_role("button", name="Open vacancy").click()
    expect(page.locator("form.app-register-vacancy")).to_contain_text("Practice nurse, 0.8 FTE")

    # The dashboard: one GP in post, one leaver (other), vacancy rate 0.8 / (1 + 0.8).
    dashboard = page.locator("dl.nhsuk-summary-list")
    expect(dashboard).to_contain_text("1 people, 1.00 FTE")
    expect(dashboard).to_contain_text("1 (retirement 0, other 1, unknown 0)")
    expect(dashboard).to_contain_text("44.4%")
    expect(page.locator("#register-staff-chart .main-svg").first).to_be_visible()
    expect(page.locator("#register-rates-chart .main-svg").first).to_be_visible()
    screenshot(page, "register-dashboard")
    assert_accessible(page)

    # The practice's retirement RAG: a single-handed GP aged 62 on the register turns it red.
    after = _gp_rag(page, server)
    assert after["rag"] == "red" and after["age_source"] == "register"
    assert "single-handed GP aged 60+" in after["reasons"]

    # Download the Excel template, fill it with openpyxl, import it through the page.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the Excel template").click()
    path = tmp_path / "template.xlsx"
    info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    sheet = book["Staff"]
    head = [c.value for c in sheet[1]]
    rows = [
        {"local_ref": "T1", "role": "gp", "contract_type": "salaried", "fte": 0.6, "birth_year": 1980,
         "start_date": "2021-09-01"},
        {"local_ref": "T2", "role": "hca", "contract_type": "salaried", "fte": 1, "age_band": "30_34",
         "start_date": "2022-02-01"},
    ]  # fmt: skip
    for i, row in enumerate(rows, start=2):
        for key, value in row.items():
            sheet.cell(row=i, column=head.index(key) + 1, value=value)
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    page.get_by_label("Upload a filled template or CSV").set_input_files(filled)
    page.get_by_role("button", name="Upload and replace").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Imported filled.xlsx: 2 staff records")
    staff = page.locator("table.app-register-staff")
    expect(staff).to_contain_text("T1")
    expect(staff).to_contain_text("T2")
    expect(staff).not_to_contain_text("GP1")
    watch.assert_clean(allow_status=(400,))


def test_manager_cannot_see_another_practices_register(page: Page, register_server: Any, browser_watch: Any) -> None:
    server = register_server
    watch = browser_watch(page)
    _sign_in(page, server, "other")
    response = page.goto(f"{server.url}/org/{HOME}/register")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have permission to see this page")
    for path in (f"/api/practices/{HOME}/register/staff", f"/api/practices/{HOME}/register",
                 f"/org/{HOME}/register/export.csv", f"/org/{HOME}/register/export.xlsx"):  # fmt: skip
        answer = page.request.get(server.url + path)
        assert answer.status == 403, path
        assert "GP1" not in answer.text() and "T1" not in answer.text()
    # their own practice's register is theirs
    response = page.goto(f"{server.url}/org/{OTHER}/register")
    assert response is not None and response.status == 200
    page.goto(f"{server.url}/org/{HOME}")
    expect(page.get_by_role("link", name="Staff register and monthly dashboard")).to_have_count(0)
    watch.assert_clean(allow_status=(403,))
