"""The live server for the scenario and access browser tests (fixtures only; no tests here).

One server per session, with all of England loaded: ``$GPWORKFORCE_E2E_DB_TEMPLATE`` when it
holds national data, else a template built once per test run (shared by xdist workers, and by
the integration tests' template of the same name, through a file lock). The app builds its
national arrays at start-up, so pages are fast once the server answers.

Accounts (random passwords): a PCN lead and a practice manager in PCN U89141 (practice
A81001), and a PCN lead elsewhere who owns a private scenario (``PRIVATE_SCENARIO``).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from tests.national_db import national_template

from gpworkforce.scenario import Scenario
from gpworkforce.services.accounts import create_user
from gpworkforce.services.importing import database_is_empty
from gpworkforce.services.saved_scenarios import create_scenario
from gpworkforce.store import make_engine, session_scope

TEMPLATE_ENV = "GPWORKFORCE_E2E_DB_TEMPLATE"

ACCOUNTS: dict[str, tuple[str, str]] = {}  # key -> (email, password)
PRIVATE_SCENARIO: dict[str, str] = {}
_STATE: dict[str, Any] = {}


def _national_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get(TEMPLATE_ENV)
    if given and Path(given).exists():
        engine = make_engine(f"sqlite:///{given}")
        try:
            if not database_is_empty(engine):
                return Path(given)
        finally:
            engine.dispose()
    return national_template(tmp_path_factory)


def prepare_accounts(engine: Engine) -> None:
    """Users and another person's private scenario (runs before the server starts)."""
    people = {
        "pcn_lead": ("pcn_lead", "U89141"),
        "manager": ("practice_manager", "A81001"),
        "stranger": ("pcn_lead", "U02671"),
    }
    with session_scope(engine) as session:
        for key, (role, org) in people.items():
            email, password = f"e2e.scen.{key}@example.org", secrets.token_urlsafe(18)
            user = create_user(session, email, password, role, org)
            ACCOUNTS[key] = (email, password)
            if key == "stranger":  # its own PCN is inside its scope whatever the mapping says
                scenario = create_scenario(
                    session, user, name="Stranger's private plan", org_code=org, scenario=Scenario(shift_share=0.4),
                    mapping={},
                )  # fmt: skip
                PRIVATE_SCENARIO["slug"] = scenario.slug


@pytest.fixture(scope="session")
def national_server(live_server_factory: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The shared server (started on first use; later calls get the same one)."""
    if "server" in _STATE and _STATE["server"].process.poll() is None:
        return _STATE["server"]
    template = _national_template(tmp_path_factory)
    cache = _STATE.setdefault("cache", str(tmp_path_factory.mktemp("e2e-national-cache")))
    previous = os.environ.get(TEMPLATE_ENV)
    os.environ[TEMPLATE_ENV] = str(template)  # only while this server's database is made
    try:
        server = live_server_factory(prepare_accounts, env={"GPWORKFORCE_CACHE_DIR": cache})
    finally:
        if previous is None:
            os.environ.pop(TEMPLATE_ENV, None)
        else:
            os.environ[TEMPLATE_ENV] = previous
    _STATE["server"] = server
    return server


def sign_in(page: Page, server: Any, who: str) -> None:
    """Sign in through the form as one of :data:`ACCOUNTS`."""
    email, password = ACCOUNTS[who]
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-header__account-link")).to_contain_text(email)


def csrf_token(page: Page) -> str:
    """The session's CSRF token, as a page's own scripts would find it (body hx-headers)."""
    headers = page.locator("body").get_attribute("hx-headers") or ""
    match = re.search(r'"X-CSRF-Token":\s*"([^"]+)"', headers)
    assert match, f"no CSRF token in hx-headers: {headers!r}"
    return match.group(1)
