"""Unit: the CLI starts light, and ``serve`` trusts forwarded headers only from proxies it is told of.

Issue 11: ``serve --workers 2`` never started its second worker, because each worker imports
the CLI again (multiprocessing spawn) and importing it took 12.5 s against uvicorn's 5 s
health check; and ``X-Forwarded-For`` was believed from 127.0.0.1 by default.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gpworkforce import cli

HEAVY = (
    "pandas",
    "numpy",
    "scipy",
    "sqlalchemy",
    "pydantic",
    "fastapi",
    "alembic",
    "gpworkforce.services",
    "dask",
    "distributed",
    "pyarrow",
)


def test_importing_the_cli_loads_nothing_heavy() -> None:
    code = f"import sys, gpworkforce.cli\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"importing gpworkforce.cli pulled in: {out.stdout.strip()}"


def _serve_kwargs(monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs, app=app))
    result = CliRunner().invoke(cli.app, ["serve", *args])
    assert result.exit_code == 0, result.output
    return seen


async def _client_seen(kwargs: dict[str, Any], peer: str, forwarded_for: str) -> tuple[str, int] | None:
    """What client address the app sees behind uvicorn's configuration built from ``kwargs``."""
    seen: list[Any] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"])

    options = {k: v for k, v in kwargs.items() if k in ("proxy_headers", "forwarded_allow_ips", "root_path")}
    config = uvicorn.Config(inner, **options)
    config.load()
    scope = {
        "type": "http",
        "client": (peer, 5000),
        "headers": [(b"x-forwarded-for", forwarded_for.encode())],
        "scheme": "http",
    }
    await config.loaded_app(scope, None, None)
    client: tuple[str, int] | None = seen[0]
    return client


def test_serve_trusts_no_proxy_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = _serve_kwargs(monkeypatch)
    assert kwargs["proxy_headers"] is False
    assert kwargs["root_path"] == ""
    assert kwargs["timeout_worker_healthcheck"] >= 30
    client = asyncio.run(_client_seen(kwargs, "127.0.0.1", "203.0.113.9"))
    assert client is not None and client[0] == "127.0.0.1"  # a spoofed header changes nothing


def test_serve_trusts_the_named_proxies_only(monkeypatch: pytest.MonkeyPatch) -> None:
    kwargs = _serve_kwargs(monkeypatch, "--forwarded-allow-ips", "10.0.0.5, 127.0.0.1", "--root-path", "/gp")
    assert kwargs["forwarded_allow_ips"] == ["10.0.0.5", "127.0.0.1"]
    assert kwargs["root_path"] == "/gp"
    config = uvicorn.Config(
        lambda *a: None, proxy_headers=kwargs["proxy_headers"], forwarded_allow_ips=kwargs["forwarded_allow_ips"]
    )
    config.load()
    assert isinstance(config.loaded_app, ProxyHeadersMiddleware)
    behind_proxy = asyncio.run(_client_seen(kwargs, "10.0.0.5", "203.0.113.9"))
    assert behind_proxy is not None and behind_proxy[0] == "203.0.113.9"
    elsewhere = asyncio.run(_client_seen(kwargs, "192.0.2.7", "203.0.113.9"))
    assert elsewhere is not None and elsewhere[0] == "192.0.2.7"
