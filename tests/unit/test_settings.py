"""Unit: the one Settings class reads every environment variable with the documented defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpworkforce.settings import ENV_PREFIX, Settings, get_settings

REPO = Path(__file__).resolve().parents[2]


def test_defaults_and_empty_values(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(ENV_PREFIX + name.upper(), raising=False)
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / "data" / app))
    monkeypatch.setattr("platformdirs.user_cache_dir", lambda app: str(tmp_path / "cache" / app))
    monkeypatch.setenv("GPWORKFORCE_CACHE_DIR", "")  # empty counts as unset, as it always has
    settings = get_settings()
    assert settings.database == f"sqlite:///{tmp_path / 'data' / 'gpworkforce' / 'gpworkforce.db'}"
    assert settings.cache_path == tmp_path / "cache" / "gpworkforce"
    assert settings.secret_key is None and settings.https is False


@pytest.mark.parametrize(("value", "on"), [("1", True), ("Yes", True), (" on ", True), ("0", False), ("no", False)])
def test_https_only_flag(monkeypatch: pytest.MonkeyPatch, value: str, on: bool) -> None:
    monkeypatch.setenv("GPWORKFORCE_HTTPS_ONLY", value)
    assert get_settings().https is on


def test_values_are_read_at_each_call(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GPWORKFORCE_DATABASE_URL", "postgresql://x@y/z")
    monkeypatch.setenv("GPWORKFORCE_CACHE_DIR", str(tmp_path))
    assert get_settings().database == "postgresql://x@y/z" and get_settings().cache_path == tmp_path
    monkeypatch.setenv("GPWORKFORCE_DATABASE_URL", "sqlite:///other.db")
    assert get_settings().database == "sqlite:///other.db"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`{ENV_PREFIX}{name.upper()}`" in readme, name
