"""Secret key policy, key file handling, redirect targets, Plotly helpers."""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from pathlib import Path

import pytest

from gpworkforce.web import plotly_offline as charts
from gpworkforce.web.errors import safe_next
from gpworkforce.web.security import (
    CONTENT_SECURITY_POLICY,
    InsecureSecretKey,
    check_secret_key,
    load_or_create_secret_key,
    resolve_secret_key,
    secret_key_path,
)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "changeme",
        "changeme" * 6,
        "CHANGE-ME-" + "x" * 40,
        "please-replace-this-with-a-real-key-0123456789",
        "my-super-secret-key-for-the-gp-workforce-app-2026",
        "default-insecure-key-0123456789abcdefghijklmnop",
        "a" * 64,  # long but no variety
        "0123456789" * 4,  # 10 distinct characters only
        "Zq3xV9pLm2Qr7TbK1wYs0d",  # random-looking but too short (22 characters)
    ],
)
def test_placeholder_or_weak_keys_are_refused(key: str) -> None:
    with pytest.raises(InsecureSecretKey):
        check_secret_key(key)


def test_generated_keys_are_accepted() -> None:
    for _ in range(500):
        key = secrets.token_urlsafe(32)
        assert check_secret_key(key) == key


def test_key_file_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "key"
    first = load_or_create_secret_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret_key(path) == first
    assert len(first) >= 43


def test_key_file_permissions_are_tightened(tmp_path: Path) -> None:
    path = tmp_path / "key"
    load_or_create_secret_key(path)
    path.chmod(0o644)
    load_or_create_secret_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_truncated_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text("short")
    path.chmod(0o600)
    with pytest.raises(InsecureSecretKey):
        load_or_create_secret_key(path)


def test_key_lives_next_to_sqlite_file_else_in_user_data_dir(tmp_path: Path) -> None:
    assert secret_key_path(f"sqlite:///{tmp_path}/db/app.db") == tmp_path / "db" / "gpworkforce-secret-key"
    pg = secret_key_path("postgresql+psycopg://u@localhost/db")
    assert pg.name == "gpworkforce-secret-key" and "gpworkforce" in str(pg.parent)
    assert secret_key_path("sqlite://") == pg  # in-memory database: user data dir too


def test_env_key_wins_and_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/app.db"
    good = secrets.token_urlsafe(32)
    monkeypatch.setenv("GPWORKFORCE_SECRET_KEY", good)
    assert resolve_secret_key(url) == good
    assert not (tmp_path / "gpworkforce-secret-key").exists()
    monkeypatch.setenv("GPWORKFORCE_SECRET_KEY", "changeme")
    with pytest.raises(InsecureSecretKey):
        resolve_secret_key(url)
    monkeypatch.delenv("GPWORKFORCE_SECRET_KEY")
    generated = resolve_secret_key(url)
    assert (tmp_path / "gpworkforce-secret-key").read_text() == generated


def test_no_hard_coded_secret_in_web_package() -> None:
    source = "\n".join(p.read_text() for p in Path(charts.__file__).parent.rglob("*.py"))
    assert not re.search(r"secret_key\s*=\s*['\"]", source)
    assert "os.environ.get(SECRET_KEY_ENV, " not in source


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, "/"),
        ("", "/"),
        ("/account", "/account"),
        ("/practice/A81001?tab=staff", "/practice/A81001?tab=staff"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("account", "/"),
        ("/sign-in", "/"),
        ("/sign-out", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_safe_next(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_csp_is_strict() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY


def test_plotly_rules_are_parsed_from_the_bundle() -> None:
    css = charts.plotly_css()
    assert css.count("{") >= 50
    assert ".js-plotly-plot .plotly .main-svg{position:absolute;" in css
    assert ".plotly-notifier" in css
    assert "http" not in css.replace("http://www.w3.org/2000/svg", "")
    assert re.fullmatch(r"\d+\.\d+\.\d+", charts.plotly_js_version())


def test_plotly_rule_parser_handles_both_quote_styles() -> None:
    entries = [""""X,X div":'font-family:"Open Sans"'"""] + [f"'X .c{i}':\"a:{i};\"" for i in range(12)]
    entries.append("Y:'position:fixed;'")  # the minifier drops quotes around identifier keys
    rules = charts.parse_plotly_rules("var q={" + ",".join(entries) + "};")
    assert rules[0] == (".js-plotly-plot .plotly,.js-plotly-plot .plotly div", 'font-family:"Open Sans"')
    assert rules[-2] == (".js-plotly-plot .plotly .c11", "a:11;")
    assert rules[-1] == (".plotly-notifier", "position:fixed;")
    with pytest.raises(ValueError):
        charts.parse_plotly_rules("no rules here")


def test_plotly_style_guards_found() -> None:
    ids = charts.plotly_style_guard_ids()
    assert ids and all(re.fullmatch(r"[\w.-]+", i) for i in ids)


@pytest.mark.parametrize("form", ["dict", "figure", "json_text"])
def test_embedded_json_cannot_close_the_script_element(form: str) -> None:
    import plotly.graph_objects as go

    label = "</script><script>alert(1)</script> & more"
    as_dict = {"data": [{"type": "bar", "x": [label], "y": [1]}], "layout": {}}
    figure = {"dict": as_dict, "figure": go.Figure(as_dict), "json_text": go.Figure(as_dict).to_json()}[form]
    text = str(charts.embeddable_json(figure))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["data"][0]["x"] == [label]
    assert str(charts.embeddable_json(text)) == text  # idempotent


def test_plotly_js_is_the_vendored_partial_bundle() -> None:
    assert charts.PLOTLY_JS.is_file() and 1_000_000 < charts.PLOTLY_JS.stat().st_size < 1_500_000
    assert os.access(charts.PLOTLY_JS, os.R_OK)


def test_csrf_token_is_masked_afresh_in_every_response_and_still_checks() -> None:
    """Pages are gzipped: a token that repeats in every response could be read from sizes (BREACH)."""
    from gpworkforce.web.security import _same, mask_token, unmask_token

    token = secrets.token_urlsafe(32)
    first, second = mask_token(token), mask_token(token)
    assert first != second and token not in first and token not in second
    assert unmask_token(first) == token == unmask_token(second)
    assert _same(first, token) and _same(token, token)  # masked, or bare from a page made before
    other = mask_token(secrets.token_urlsafe(32))
    assert not _same(other, token) and not _same(first[:-4], token) and not _same("", token)
    assert unmask_token("not base64!") is None and unmask_token("") is None
