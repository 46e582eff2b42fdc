"""Unit: the one cache utility (single flight, LRU), its per-engine registry and write generation."""

from __future__ import annotations

import contextlib
import gc
import threading
import time

from sqlalchemy import column, create_engine, table, text

from gpworkforce.store.cache import SingleFlightCache, engine_caches, write_generation


def test_single_flight_cache_computes_once_for_concurrent_callers() -> None:
    cache = SingleFlightCache(maxsize=2)
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 8 and len(calls) == 1
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    assert cache.get("k", lambda: 0) == 0  # evicted (LRU of 2)


def test_a_failed_computation_is_not_cached() -> None:
    cache = SingleFlightCache()

    def fail() -> int:
        raise ValueError("no")

    for _ in range(2):
        with contextlib.suppress(ValueError):
            cache.get("k", fail)
    assert "k" not in cache and cache.get("k", lambda: 1) == 1


def test_caches_belong_to_their_engine_and_go_with_it() -> None:
    one, two = create_engine("sqlite://"), create_engine("sqlite://")
    engine_caches(one)("x").get("k", lambda: 1)
    assert engine_caches(one)("x").peek("k") == 1
    assert engine_caches(two)("x").peek("k") is None
    caches = engine_caches(one)
    del one
    gc.collect()
    assert caches("x").peek("k") == 1  # the object lives on while held, but the registry let go


def test_writes_bump_the_write_generation_of_the_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine, other = create_engine(url), create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    before = write_generation(engine)
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    assert write_generation(engine) == before  # reads do not count
    with other.begin() as conn:  # another engine on the same database counts too
        conn.execute(table("t", column("x")).insert().values(x=1))  # Core/ORM writes, as the store makes
    assert write_generation(engine) > before
