"""An explicit, immutable data version, and the workspace that hands out the current one.

Why: every figure depends on the national arrays, the calibration fitted to them and the
reference parameters. A :class:`DataVersion` holds those together, never changes, and carries
the memo of everything derived from them (model runs, reports, lookups), so a value computed
for one version can never be served for another. Service functions take a version; the
:class:`Workspace` (an engine and a reference) says which version is current.

The database is checked at most once a second (:data:`FRESH_SECONDS`; a request touches the
data many times and 20 concurrent requests each querying it contended for connections);
writes made in this process are seen at once (``store.cache.write_generation``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from gpworkforce import store
from gpworkforce.reference import Reference, load_reference
from gpworkforce.services.audit import with_public_labels
from gpworkforce.services.calibrate import Calibration, calibrate
from gpworkforce.services.national import DataMissingError, NationalData, datasets_fingerprint
from gpworkforce.services.national_cache import national_base
from gpworkforce.services.national_overlays import apply_overrides, apply_register
from gpworkforce.services.register_fte import register_people, register_role_fte
from gpworkforce.store.cache import Caches, engine_caches, write_generation

T = TypeVar("T")

#: How long a database check stays good; another process's import is seen within this.
FRESH_SECONDS = 1.0
#: Sizes of a version's named memo caches (anything else: MEMO_DEFAULT_SIZE).
MEMO_SIZES = {"runs": 32, "reports": 256, "parts": 512, "derived": 4096}
MEMO_DEFAULT_SIZE = 512


@dataclass(frozen=True, eq=False)
class DataVersion:
    """National data, reference and fingerprint of one database state, with its memo.

    The calibration is part of the version but fitted on first use (a search or a benchmark
    never needs it) and memoised with the rest; :attr:`is_calibrated` says whether it is ready.
    """

    data: NationalData
    reference: Reference
    memo: Caches = field(default_factory=Caches, repr=False)
    #: User-defined practice groups: upper-case code -> (name, member practice codes).
    groups: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """Token of the database state (datasets and FTE corrections) these data came from."""
        return self.data.fingerprint

    @property
    def base_year(self) -> int:
        """Year of the registered-patients extract, the projection's starting point."""
        period = self.data.periods.get("patients") or "2026-01"
        return int(str(period)[:4])

    @property
    def calibration(self) -> Calibration:
        """Calibrated model parameters for these data (fitted once per version)."""
        return self.memo("calibration", 1).get("calibration", lambda: calibrate(self.data, self.reference))

    @property
    def is_calibrated(self) -> bool:
        """True when :attr:`calibration` costs nothing to get."""
        return "calibration" in self.memo("calibration", 1)

    def memoised(self, name: str, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per version, memo ``name`` and ``key`` (single flight, LRU)."""
        return self.memo(name, MEMO_SIZES.get(name, MEMO_DEFAULT_SIZE)).get(key, compute)


def _groups(rows: pd.DataFrame) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``store.load_groups`` rows as code -> (name, practice codes)."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for code, part in rows.groupby("code", sort=True):
        members = tuple(c for c in part["practice_code"] if c)
        out[str(code).upper()] = (str(part["name"].iat[0]), members)
    return out


class Workspace:
    """A database and the reference parameters: hands out the current :class:`DataVersion`.

    Versions are kept in the engine's caches (``store.cache``), keyed by the reference's
    content digest and the database fingerprint, so every workspace on one engine shares them.
    """

    def __init__(self, engine: Engine, reference: Reference) -> None:
        self.engine = engine
        self.reference = reference
        self._lock = threading.Lock()
        self._current: DataVersion | None = None
        self._checked = float("-inf")
        self._generation = -1

    def version(self) -> DataVersion:
        """The current version; queries the database when the last check is over a second old
        or this process has written since (not on the event loop)."""
        now = time.monotonic()
        generation = write_generation(self.engine)
        with self._lock:
            current = self._current
            if current is not None and generation == self._generation and now - self._checked < FRESH_SECONDS:
                return current
        with store.session_scope(self.engine) as s:
            try:
                fp = store.database_fingerprint(s)
            except DBAPIError as exc:
                if inspect(self.engine).has_table("dataset"):
                    raise
                where = self.engine.url.render_as_string(hide_password=True)
                raise DataMissingError(
                    f"the database {where} has no gpworkforce tables: run `gpworkforce init` "
                    "(or `make run`) to create them and load the national data"
                ) from exc
            if current is None or current.fingerprint != fp:
                base_fp = datasets_fingerprint(s)
                overrides = with_public_labels(s, store.load_fte_overrides(s))
                groups = _groups(store.load_groups(s))
                register = register_role_fte(s)
                people = register_people(s)
        if current is None or current.fingerprint != fp:
            ref = self.reference

            def make() -> DataVersion:
                base = national_base(self.engine, ref, base_fp)
                return DataVersion(
                    apply_overrides(apply_register(base, register, people), overrides, fp), ref, groups=groups
                )

            current = engine_caches(self.engine)("versions", 1).get((ref.digest, fp), make)
        with self._lock:
            self._current, self._checked, self._generation = current, now, generation
        return current

    def cached_version(self) -> tuple[DataVersion | None, bool]:
        """The version in memory, without touching the database, and whether a check is due.

        None when there is none yet or this process wrote since the last check: then only
        :meth:`version` will do. Otherwise the version, with True once :data:`FRESH_SECONDS`
        have passed since the database was last checked (another process may have written).
        """
        with self._lock:
            current, checked, generation = self._current, self._checked, self._generation
        if current is None or write_generation(self.engine) != generation:
            return None, True
        return current, time.monotonic() - checked >= FRESH_SECONDS

    def expire(self) -> None:
        """Make the next :meth:`version` check the database (e.g. after a test changed the clock)."""
        with self._lock:
            self._checked = float("-inf")


def open_workspace(url: str | None = None, reference_files: tuple[Path, ...] = ()) -> Workspace:
    """Workspace for ``url`` (default: ``GPWORKFORCE_DATABASE_URL`` or the user data dir)."""
    engine = store.make_engine(url or store.default_database_url())
    return Workspace(engine, load_reference(reference_files))
