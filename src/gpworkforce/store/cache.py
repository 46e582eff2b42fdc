"""The one cache utility: a thread-safe single-flight LRU, and named caches registered per engine.

Why one utility: the national arrays, their calibration and every value derived from them are
expensive (seconds for England) and asked for by many requests at once. A single-flight LRU
computes a missing value once, whoever asks, and keeps the most recently used. Caches live
with the engine they describe (a ``WeakKeyDictionary``), so two databases never share one and
a disposed engine takes its caches with it.

Writes made in this process bump the database's :func:`write_generation`, so a cache of what the
database holds can tell at once that it may be stale (see ``services.versions``).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

T = TypeVar("T")


class SingleFlightCache:
    """A thread-safe LRU where concurrent requests for a missing key share one computation."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._inflight: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing it (once, whoever asks) if missing."""
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    self.hits += 1
                    value: T = self._items[key]
                    return value
                flight = self._inflight.get(key)
                if flight is None:
                    flight = threading.Event()
                    self._inflight[key] = flight
                    self.misses += 1
                    break
            flight.wait(60)  # another thread computes it; then look again (or compute if it failed)
            with self._lock:
                if key not in self._items and self._inflight.get(key) is flight:
                    continue
        try:
            value = compute()
        except BaseException:
            with self._lock:
                self._inflight.pop(key, None)
            flight.set()
            raise
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
            self._inflight.pop(key, None)
        flight.set()
        return value

    def peek(self, key: Hashable) -> Any | None:
        """The cached value, or None, without computing or counting a miss."""
        with self._lock:
            return self._items.get(key)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class Caches:
    """Named single-flight caches, created on first use with the size asked for then."""

    def __init__(self) -> None:
        self._caches: dict[str, SingleFlightCache] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str, maxsize: int = 512) -> SingleFlightCache:
        with self._lock:
            cache = self._caches.get(name)
            if cache is None:
                cache = self._caches[name] = SingleFlightCache(maxsize)
            return cache

    def clear(self) -> None:
        with self._lock:
            caches = list(self._caches.values())
        for cache in caches:
            cache.clear()


_REGISTRY: weakref.WeakKeyDictionary[Engine, Caches] = weakref.WeakKeyDictionary()
_GENERATIONS: dict[str, int] = {}
_LOCK = threading.Lock()


def engine_caches(engine: Engine) -> Caches:
    """The named caches of ``engine`` (created on first use, dropped with the engine)."""
    with _LOCK:
        caches = _REGISTRY.get(engine)
        if caches is None:
            caches = _REGISTRY[engine] = Caches()
        return caches


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def write_generation(engine: Engine) -> int:
    """How many writing statements this process has run on ``engine``'s database (by URL, so a
    write through another engine on the same database counts too)."""
    with _LOCK:
        return _GENERATIONS.get(_url(engine), 0)


@event.listens_for(Engine, "after_cursor_execute")
def _note_writes(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
    """Any INSERT/UPDATE/DELETE bumps the engine's write generation."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        url = _url(conn.engine)
        with _LOCK:
            _GENERATIONS[url] = _GENERATIONS.get(url, 0) + 1
