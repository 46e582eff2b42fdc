"""The bundled snapshot: canonical frames from the shared NHS files, small enough to ship.

``scripts/build_snapshot.py`` writes it (:mod:`~gpworkforce.ingest.snapshot_build`) into
``src/gpworkforce/snapshot/``; :func:`read_snapshot` gives back exactly the
:class:`IngestResult` objects the readers produced (same frames, dtypes, row order, period,
notes), so loading a fresh database from the snapshot or from the raw files is the same.
The storage layout is in :mod:`~gpworkforce.ingest.snapshot_format`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from gpworkforce.ingest.errors import IngestError
from gpworkforce.ingest.result import IngestResult
from gpworkforce.ingest.snapshot_format import (
    DEFAULT_DIR,
    FORMAT_VERSION,
    MANIFEST,
    canonical_order,
    from_wide,
    read_stored,
    sha256_of,
    typed,
)


def read_snapshot(directory: Path | str | None = None, kinds: Iterable[str] | None = None) -> list[IngestResult]:
    """Load the snapshot (default: the one bundled with the package) as reader results.

    Each file's sha256 is checked against the manifest, so a corrupted or hand-edited
    snapshot fails loudly instead of loading wrong numbers.
    """
    folder = Path(directory) if directory is not None else DEFAULT_DIR
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise IngestError(MANIFEST, f"no snapshot manifest in {folder}")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT_VERSION:
        raise IngestError(MANIFEST, f"snapshot format {manifest.get('format')} is not {FORMAT_VERSION}")
    wanted = set(kinds) if kinds is not None else None
    cache: dict[str, pd.DataFrame] = {}
    results: list[IngestResult] = []
    for entry in manifest["datasets"]:
        kind = entry["kind"]
        if wanted is not None and kind not in wanted:
            continue
        file = entry["file"]
        if file not in cache:
            path = folder / file
            if not path.exists():
                raise IngestError(file, f"listed in {MANIFEST} but missing from {folder}")
            if sha256_of(path) != entry["sha256"]:
                raise IngestError(file, f"sha256 differs from {MANIFEST}: the snapshot file was changed")
            cache[file] = read_stored(path, kind, entry["layout"])
        raw = cache[file]
        if entry["select_period"]:
            raw = raw[raw["period"] == (entry["period"] or "")]
        elif entry["layout"] == "wide":
            raw = from_wide(raw, kind)
        frame = canonical_order(typed(raw, kind), kind)
        if len(frame) != entry["rows"]:
            raise IngestError(
                file, f"{len(frame):,} rows for {kind} {entry['period']}, manifest says {entry['rows']:,}"
            )
        results.append(
            IngestResult(
                kind,
                frame,
                entry["period"],
                entry["source"]["file"],
                int(entry["source"]["rows_read"]),
                tuple(entry["notes"]),
            )
        )
    return results
