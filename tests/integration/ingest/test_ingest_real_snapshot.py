"""The committed snapshot (src/gpworkforce/snapshot) equals what the readers give on the real files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gpworkforce.ingest import read_snapshot
from gpworkforce.ingest.snapshot_build import plan_snapshot
from gpworkforce.ingest.snapshot_format import DEFAULT_DIR, MANIFEST, frames_equal, sha256_of

pytestmark = pytest.mark.shared_data

MAX_BYTES = 6 * 1024 * 1024


def test_snapshot_equals_readers(shared_data: Path, real: Callable[[str], Any]) -> None:
    plan = plan_snapshot(shared_data, read=lambda name, _path: real(name))
    loaded = read_snapshot()
    assert [(r.kind, r.period) for r in loaded] == [(p.result.kind, p.result.period) for p in plan]
    for item, result in zip(plan, loaded, strict=True):
        expected = item.result
        assert frames_equal(result.frame, expected.frame), (item.file, expected.period)
        assert (result.source_file, result.rows_read, result.notes) == (
            expected.source_file,
            expected.rows_read,
            expected.notes,
        )


def test_snapshot_manifest_matches_sources_and_size(shared_data: Path) -> None:
    manifest = json.loads((DEFAULT_DIR / MANIFEST).read_text())
    for entry in manifest["datasets"]:
        source = shared_data / entry["source"]["file"]
        assert sha256_of(source) == entry["source"]["sha256"], f"snapshot is stale for {source.name}"
        assert entry["licence"]
    total = sum(p.stat().st_size for p in DEFAULT_DIR.iterdir() if p.is_file())
    assert total < MAX_BYTES
    attribution = (DEFAULT_DIR / "ATTRIBUTION.md").read_text()
    assert "Open Government Licence v3.0" in attribution and "Health Equity Evidence Centre" in attribution
