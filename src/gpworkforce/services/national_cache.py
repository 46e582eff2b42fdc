"""The national arrays kept between runs: in the engine's caches, and on disk as a pickle.

Why a file of its own: building ``NationalData`` reads every dataset (~5 s); this keeps the
built arrays per database, datasets fingerprint and reference digest so a restart or a
second worker reads them back in well under a second. A cache that cannot be read or written
is only a missed speed-up.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

from sqlalchemy.engine import Engine

from gpworkforce.reference import Reference
from gpworkforce.services.national import NationalData, build_national
from gpworkforce.settings import get_settings
from gpworkforce.store.cache import engine_caches

CACHE_VERSION = "9"


def cache_dir() -> Path:
    """Where built national arrays are kept between runs (``GPWORKFORCE_CACHE_DIR`` to move it)."""
    return get_settings().cache_path


def _cache_file(url: str, fingerprint: str, ref: Reference) -> Path:
    key = hashlib.sha256(f"{CACHE_VERSION}|{url}|{fingerprint}|{ref.digest}".encode()).hexdigest()[:24]
    return cache_dir() / f"national-{key}.pkl"


def _read_cache(path: Path) -> NationalData | None:
    try:
        with path.open("rb") as fh:
            data = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return data if isinstance(data, NationalData) else None


def _write_cache(path: Path, data: NationalData) -> None:
    """Write atomically; a cache that cannot be written is only a missed speed-up."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for old in path.parent.glob("national-*.pkl"):
            if old != path and old.stat().st_mtime < path.stat().st_mtime - 3600:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def national_base(engine: Engine, ref: Reference, base_fp: str) -> NationalData:
    """The dataset-only arrays (no FTE corrections): memory, else disk, else built.

    Kept in the engine's ``national-base`` cache (one entry: a new import replaces it); its
    single flight makes concurrent requests wait for one build instead of each building.
    """

    def load() -> NationalData:
        path = _cache_file(engine.url.render_as_string(hide_password=False), base_fp, ref)
        data = _read_cache(path)
        if data is None or data.fingerprint != base_fp:
            data = build_national(engine, ref)
            _write_cache(path, data)
        return data

    return engine_caches(engine)("national-base", 1).get((ref.digest, base_fp), load)
