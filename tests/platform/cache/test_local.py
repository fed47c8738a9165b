"""The L1's map on its own: reservations, tombstones, its bound and its age limit (the tracking
that keeps it coherent with Redis is tests/platform/cache/test_tracking.py's)."""

from __future__ import annotations

from app.platform.cache.entry import TOMBSTONE
from app.platform.cache.local import LocalCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def local(*, max_entries: int = 10, max_age_seconds: float = 5.0) -> LocalCache:
    return LocalCache(max_entries=max_entries, max_age_seconds=max_age_seconds)


def stored(cache: LocalCache, key: str, value: bytes) -> bool:
    return cache.fill(key, cache.reserve(key), value)


def test_an_invalidation_during_the_read_cancels_its_fill() -> None:
    cache = local()
    reservation = cache.reserve("k")
    cache.invalidate(["k"])
    assert cache.fill("k", reservation, b"read before the write") is False
    assert cache.get("k") is None


def test_a_flush_during_the_read_cancels_its_fill() -> None:
    cache = local()
    reservation = cache.reserve("k")
    cache.flush()
    assert cache.fill("k", reservation, b"old") is False
    assert cache.get("k") is None


def test_a_later_reservation_of_the_key_wins() -> None:
    cache = local()
    first, second = cache.reserve("k"), cache.reserve("k")
    assert cache.fill("k", first, b"first") is False
    assert cache.fill("k", second, b"second") is True
    assert cache.get("k") == b"second"


def test_a_reservation_fills_once() -> None:
    cache = local()
    reservation = cache.reserve("k")
    assert cache.fill("k", reservation, b"v") is True
    cache.invalidate(["k"])
    assert cache.fill("k", reservation, b"v") is False
    assert cache.get("k") is None


def test_tombstones_and_misses_are_never_stored() -> None:
    cache = local()
    assert stored(cache, "tombstoned", TOMBSTONE) is False
    assert stored(cache, "missing", None) is False  # type: ignore[arg-type]
    assert cache.get("tombstoned") is None
    assert len(cache) == 0


def test_the_oldest_stored_goes_first_at_the_bound() -> None:
    cache = local(max_entries=2)
    for key in ("a", "b", "c"):
        assert stored(cache, key, key.encode())
    assert len(cache) == 2
    assert cache.get("a") is None
    assert (cache.get("b"), cache.get("c")) == (b"b", b"c")


def test_storing_a_key_again_does_not_evict_another() -> None:
    cache = local(max_entries=2)
    stored(cache, "a", b"1")
    stored(cache, "b", b"1")
    stored(cache, "b", b"2")
    assert (cache.get("a"), cache.get("b")) == (b"1", b"2")


def test_an_entry_expires_at_its_max_age() -> None:
    clock = Clock()
    cache = LocalCache(max_entries=10, max_age_seconds=5.0, clock=clock)
    stored(cache, "k", b"v")
    clock.now += 4.999
    assert cache.get("k") == b"v"
    clock.now += 0.001
    assert cache.get("k") is None
    assert len(cache) == 0


def test_invalidate_and_flush() -> None:
    cache = local()
    for key in ("a", "b", "c"):
        stored(cache, key, b"v")
    cache.invalidate(["a", "unknown"])
    assert (cache.get("a"), cache.get("b")) == (None, b"v")
    cache.flush()
    assert len(cache) == 0
