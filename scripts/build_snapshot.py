"""Rebuild the bundled snapshot (src/gpworkforce/snapshot/) from the shared NHS data folder.

Usage: ``python scripts/build_snapshot.py [DATA_DIR]``; DATA_DIR defaults to
``$GPWORKFORCE_SHARED_DATA`` or ``<repo>/../shared/data``. Output is deterministic: running it
twice on the same sources gives byte-identical files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from gpworkforce.ingest.snapshot_build import DEFAULT_DIR, build_snapshot  # noqa: E402


def data_dir(argv: list[str]) -> Path:
    """argv[1], else $GPWORKFORCE_SHARED_DATA, else <repo>/../shared/data."""
    if len(argv) > 1:
        return Path(argv[1])
    env = os.environ.get("GPWORKFORCE_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def main(argv: list[str]) -> int:
    """Build the snapshot and print one line per dataset and the total size."""
    source = data_dir(argv)
    if not source.is_dir():
        print(f"shared data folder not found: {source}", file=sys.stderr)
        return 2
    manifest = build_snapshot(source, DEFAULT_DIR)
    for entry in manifest["datasets"]:
        size = (DEFAULT_DIR / entry["file"]).stat().st_size
        print(
            f"{entry['file']:<34} {entry['kind']:<22} {entry['period'] or '-':<18} {entry['rows']:>9,} rows "
            f"{size / 1024:>8.0f} KiB"
        )
    total = sum(p.stat().st_size for p in DEFAULT_DIR.iterdir() if p.is_file())
    print(f"total {total / 1024 / 1024:.2f} MiB in {DEFAULT_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
