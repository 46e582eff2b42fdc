"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn server.

Fixtures
- ``browser_type_launch_args``: launch /usr/bin/chromium (``$CHROMIUM_PATH``); Playwright's own
  browser download is not available here.
- ``live_server``: one server per session (per xdist worker) on a free port with a temporary
  SQLite database, migrated to head, holding one test user (``live_server.user``).
- ``live_server_factory(prepare=..., app_factory=..., env=...)``: more servers, e.g. one whose
  database a ``prepare(engine)`` callback pre-loads. ``$GPWORKFORCE_E2E_DB_TEMPLATE`` (a SQLite
  file) is copied in as the starting database of every server when set.
- ``assert_accessible(page)``: runs axe-core; fails on serious/critical violations.
- ``browser_watch(page)``: records requests, failures and console errors (``.assert_clean()``).
- ``screenshot(page, name)``: saves to test-artifacts/screenshots/, returns the PNG bytes;
  ``count_colours(page, png)`` tells a rendered page from a blank one.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, Response
from sqlalchemy import Engine

from gpworkforce.services.accounts import create_user
from gpworkforce.store import make_engine, session_scope, upgrade

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = REPO / "test-artifacts" / "screenshots"
AXE_JS = E2E_DIR / "vendor" / "axe.min.js"
DB_TEMPLATE_ENV = "GPWORKFORCE_E2E_DB_TEMPLATE"
DEFAULT_APP_FACTORY = "gpworkforce.web.app:create_app"

PrepareDb = Callable[[Engine], None]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything under tests/e2e as e2e (so ``-m 'not e2e'`` skips the browser)."""
    for item in items:
        if E2E_DIR in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


# --- Browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, headless, without background calls to Google services."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-default-apps",
            "--disable-features=Translate,OptimizationHints",
        ],
    }


# --- Live server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class TestAccount:
    """Credentials of a user created for the tests (password random per session)."""

    __test__ = False  # not a test class, despite the name

    email: str
    password: str
    role: str
    org_code: str | None


@dataclass
class LiveServer:
    """A running server: ``url`` (no trailing slash), its database and the test user."""

    url: str
    database_url: str
    user: TestAccount
    log_path: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _prepare_database(db_path: Path, prepare: PrepareDb | None) -> tuple[str, TestAccount]:
    if template := os.environ.get(DB_TEMPLATE_ENV):
        shutil.copyfile(template, db_path)
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        account = TestAccount(
            email="e2e.manager@example.org",
            password=secrets.token_urlsafe(18),
            role="practice_manager",
            org_code="A81001",
        )
        with session_scope(engine) as session:
            create_user(session, account.email, account.password, account.role, account.org_code)
        if prepare is not None:
            prepare(engine)
    finally:
        engine.dispose()
    return url, account


def _wait_until_up(server: LiveServer, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            time.sleep(0.1)
    server.stop()
    log = server.log_path.read_text(errors="replace")[-4000:]
    raise RuntimeError(f"uvicorn did not start on {server.url}; log:\n{log}")


@pytest.fixture(scope="session")
def live_server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., LiveServer]]:
    """Start servers on demand (one per configuration, reused); all stop at the end of the session.

    ``start(prepare=None, *, app_factory="gpworkforce.web.app:create_app", app_dir=None, env=None)``:
    ``prepare(engine)`` runs after migration and test-user creation, before the server starts.
    ``app_factory`` may name a module in ``app_dir`` (e.g. a test app wrapping ``create_app``).
    Calls with the same arguments (the same ``prepare`` function object) share one server, so
    tests must not depend on database changes made by other tests on it.
    """
    servers: dict[tuple[object, ...], LiveServer] = {}

    def start(
        prepare: PrepareDb | None = None,
        *,
        app_factory: str = DEFAULT_APP_FACTORY,
        app_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> LiveServer:
        key = (prepare, app_factory, str(app_dir), tuple(sorted((env or {}).items())))
        if key in servers and servers[key].process.poll() is None:
            return servers[key]  # same configuration: reuse the running server
        workdir = tmp_path_factory.mktemp("live")
        database_url, account = _prepare_database(workdir / "gpworkforce.db", prepare)
        port = _free_port()
        server_env = {
            **os.environ,
            "GPWORKFORCE_DATABASE_URL": database_url,
            "GPWORKFORCE_SECRET_KEY": secrets.token_urlsafe(32),
            **(env or {}),
        }
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            app_factory,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        if app_dir is not None:
            command += ["--app-dir", str(app_dir)]
        log_path = workdir / "uvicorn.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, env=server_env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        server = LiveServer(f"http://127.0.0.1:{port}", database_url, account, log_path, process)
        servers[key] = server
        _wait_until_up(server)
        return server

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def live_server(live_server_factory: Callable[..., LiveServer]) -> LiveServer:
    """The default server: empty database plus ``live_server.user`` (a practice manager)."""
    return live_server_factory()


# --- Checks -----------------------------------------------------------------------------------

_AXE_SOURCE: str | None = None


def _assert_accessible(
    page: Page, *, impacts: tuple[str, ...] = ("serious", "critical"), options: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run axe-core on the page; fail listing every violation of the given impacts.

    axe is evaluated through the DevTools protocol, which the page's CSP does not apply to,
    so the CSP under test stays as strict as in production. Returns all violations found.
    """
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_AXE_SOURCE + "\n;undefined")
    run_options = {"resultTypes": ["violations"], **(options or {})}
    violations: list[dict[str, Any]] = page.evaluate(
        "async (options) => (await window.axe.run(document, options)).violations", run_options
    )
    bad = [v for v in violations if v.get("impact") in impacts]
    if bad:
        lines = [f"axe found {len(bad)} {'/'.join(impacts)} violation(s) on {page.url}:"]
        for v in bad:
            targets = ", ".join(str(node.get("target")) for node in v.get("nodes", [])[:5])
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']}) at {targets}")
        pytest.fail("\n".join(lines))
    return violations


@pytest.fixture
def assert_accessible() -> Callable[..., list[dict[str, Any]]]:
    """``assert_accessible(page)``: axe-core check, serious and critical violations fail."""
    return _assert_accessible


@dataclass
class BrowserWatch:
    """Everything a page asked for and complained about, for end-of-test assertions."""

    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def non_local_requests(self) -> list[str]:
        allowed_schemes = {"data", "blob", "about"}
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in allowed_schemes and urlsplit(url).hostname != "127.0.0.1"
        ]

    def assert_clean(self, *, allow_status: tuple[int, ...] = ()) -> None:
        """No request left 127.0.0.1, none failed or got an error status, nothing logged as an error."""
        assert not self.non_local_requests(), f"requests left the machine: {self.non_local_requests()}"
        failures = [f for f in self.failures if not any(f" {code} " in f for code in allow_status)]
        assert not failures, f"failed requests: {failures}"
        errors = [e for e in self.console_errors if not any(f" {code} " in e for code in allow_status)]
        assert not errors, f"console errors: {errors}"


def _watch(page: Page) -> BrowserWatch:
    watch = BrowserWatch()

    def on_request(request: Request) -> None:
        watch.requests.append(request.url)

    def on_failed(request: Request) -> None:
        if request.failure != "net::ERR_ABORTED":  # cancelled by a navigation, e.g. after a redirect
            watch.failures.append(f"{request.method} {request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            watch.failures.append(f"{response.request.method} {response.url} -> {response.status} ")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.console_errors.append(f"{message.text} ")

    page.on("request", on_request)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    page.on("console", on_console)
    return watch


@pytest.fixture
def browser_watch() -> Callable[[Page], BrowserWatch]:
    """``watch = browser_watch(page)`` before navigating; ``watch.assert_clean()`` at the end."""
    return _watch


def _count_colours(page: Page, png: bytes, sample_step: int = 3) -> int:
    """Distinct colours in a PNG, counted by the browser (no image library needed in Python)."""
    blank = page.context.new_page()
    try:
        data_url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        return int(
            blank.evaluate(
                """async ([src, step]) => {
                    const img = new Image(); img.src = src; await img.decode();
                    const canvas = document.createElement('canvas');
                    canvas.width = img.width; canvas.height = img.height;
                    const ctx = canvas.getContext('2d'); ctx.drawImage(img, 0, 0);
                    const data = ctx.getImageData(0, 0, img.width, img.height).data;
                    const seen = new Set();
                    for (let i = 0; i < data.length; i += 4 * step) {
                        seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
                    }
                    return seen.size;
                }""",
                [data_url, sample_step],
            )
        )
    finally:
        blank.close()


@pytest.fixture
def count_colours() -> Callable[..., int]:
    """``count_colours(page, png)``: distinct colours in a screenshot (a blank page has 1 or 2)."""
    return _count_colours


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], bytes]:
    """``png = screenshot(page, "home")`` -> test-artifacts/screenshots/<test>-home.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    test_name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")

    def take(page: Page, name: str) -> bytes:
        path = SCREENSHOT_DIR / f"{test_name}-{name}.png"
        return page.screenshot(path=str(path), full_page=True)

    return take
