"""Integration: every figure of the CLI, API, pages and downloads equals the recorded golden outputs.

The outputs were recorded before the services/web restructuring (tests/golden/capture.py); a
change that moves code must not move a number. Re-record only for a deliberate change of
figures, and say so in the commit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.golden.capture import ORGS, capture, differences, load, of_org


@pytest.mark.parametrize("org", ORGS)
def test_outputs_equal_the_recorded_ones(
    org: str, national_sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "national.db"
    shutil.copyfile(national_sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("GPWORKFORCE_DATABASE_URL", url)
    monkeypatch.setenv("GPWORKFORCE_CACHE_DIR", str(tmp_path / "cache"))
    recorded = of_org(load(), org)
    assert recorded, f"no golden outputs recorded for {org}"
    problems = differences(recorded, capture(url, (org,)))
    assert not problems, "\n".join(problems)
