"""This process's copy of hot shared cache entries (the L1), in front of Redis.

It holds raw values as Redis returned them, bounded in number (the oldest stored goes first) and
in age. It knows nothing of coherence: app/platform/cache/tracking.py drops what Redis says has
changed, and flushes everything whenever it cannot vouch for having heard every change.

A value read from Redis is stored only if nothing invalidated its key while the read was in
flight: `reserve` before the read, `fill` after it. An invalidation or a flush in between
cancels the reservation, so a reply that left Redis before a write is never stored after the
write's invalidation was applied.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable


class Reservation:
    """One read's claim to store what it finds; the identity is all that matters."""

    __slots__ = ()


class LocalCache:
    def __init__(
        self,
        *,
        max_entries: int,
        max_age_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._entries: dict[str, tuple[bytes, float]] = {}
        self._reserved: dict[str, Reservation] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> bytes | None:
        found = self._entries.get(key)
        if found is None:
            return None
        value, expires_at = found
        if self._clock() >= expires_at:
            del self._entries[key]
            return None
        return value

    def reserve(self, key: str) -> Reservation:
        """A claim for a read of key about to be sent; a later one for the same key wins."""
        reservation = Reservation()
        self._reserved[key] = reservation
        return reservation

    def fill(self, key: str, reservation: Reservation, value: bytes | None) -> bool:
        """Store what the reserved read found, unless it was a miss, a tombstone, or the key
        changed since the reservation; True when stored. Always ends the reservation."""
        if self._reserved.get(key) is not reservation:
            return False
        del self._reserved[key]
        if not value:
            return False
        entries = self._entries
        entries.pop(key, None)
        while len(entries) >= self.max_entries:
            del entries[next(iter(entries))]
        entries[key] = (value, self._clock() + self.max_age_seconds)
        return True

    def invalidate(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._entries.pop(key, None)
            self._reserved.pop(key, None)

    def flush(self) -> None:
        self._entries.clear()
        self._reserved.clear()
