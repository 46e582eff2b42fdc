"""Unit: the services' cache folders come from ``gpworkforce.settings`` (``GPWORKFORCE_CACHE_DIR``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpworkforce.services import fetching, national_cache


def test_cache_folders_follow_the_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GPWORKFORCE_CACHE_DIR", str(tmp_path / "here"))
    assert national_cache.cache_dir() == tmp_path / "here"
    assert fetching.downloads_dir() == tmp_path / "here" / "downloads"


def test_empty_setting_means_the_user_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("platformdirs.user_cache_dir", lambda app: str(tmp_path / "user-cache" / app))
    monkeypatch.setenv("GPWORKFORCE_CACHE_DIR", "")
    assert national_cache.cache_dir() == tmp_path / "user-cache" / "gpworkforce"
    assert fetching.downloads_dir() == tmp_path / "user-cache" / "gpworkforce" / "downloads"
