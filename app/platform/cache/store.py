"""Redis behind short timeouts and a breaker: callers get an answer or StoreUnavailable, fast.

Redis may lose everything at any moment; nothing here is the source of truth. After a failure
the store is skipped for `redis_retry_after_seconds`, then tried again, so recovery needs no
restart. Invalidations are not kept here: they wait in the outbox until Redis acknowledges them.

Shared cache entries may also be read through this process's L1 (`get_local`), kept coherent
with Redis by app/platform/cache/tracking.py; every other read goes to Redis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from app.settings import Settings

if TYPE_CHECKING:
    from app.platform.cache.tracking import Tracking

T = TypeVar("T")
Command = Callable[[Redis], Awaitable[T]]
logger = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """Redis did not answer in time, or is known to be down."""


def connect(settings: Settings) -> Redis:
    """The client for REDIS_URL, or an in-process stand-in with the same interface."""
    if settings.redis_url is None:
        from fakeredis import FakeAsyncRedis  # only the embedded default needs it

        return FakeAsyncRedis()
    timeout = settings.redis_timeout_seconds
    return Redis.from_url(
        settings.redis_url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # A retry would double the wait; the breaker and the database cover failures.
        retry=Retry(NoBackoff(), 0),
        max_connections=64,
    )


class Store:
    def __init__(
        self, redis: Redis, *, retry_after_seconds: float, local: Tracking | None = None
    ) -> None:
        self.redis = redis
        self.retry_after_seconds = retry_after_seconds
        self.local = local
        self._down_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    async def call(self, command: Command[T], *, probe: bool = False) -> T:
        """The command's result; StoreUnavailable when it failed or Redis is known to be down.

        A probe is tried even then (the outbox retrying an invalidation), and its success
        closes the breaker for everyone.
        """
        if not probe and not self.available:
            raise StoreUnavailable()
        try:
            result = await command(self.redis)
        except (RedisError, OSError, TimeoutError) as exc:
            self._down_until = time.monotonic() + self.retry_after_seconds
            if not probe:
                logger.warning("redis unavailable", extra={"error": type(exc).__name__})
            raise StoreUnavailable() from exc
        if probe:
            self._down_until = 0.0
        return result

    async def run(self, command: Command[T], default: T) -> T:
        """The command's result, or default when Redis is unavailable."""
        try:
            return await self.call(command)
        except StoreUnavailable:
            return default

    async def get(self, key: str) -> bytes | None:
        """The value; None on a miss and while Redis is unavailable."""
        return _bytes(await self.run(lambda r: r.get(key), None))

    async def get_local(self, key: str) -> bytes | None:
        """A shared cache entry's value, as `get`, served from the L1 when it holds it and may
        serve it; only for keys whose value any caller may be given (the L1 is per process, not
        per viewer). While Redis is known to be down the L1 is not read either."""
        local = self.local
        if local is None or not self.available:
            return await self.get(key)
        raw = local.get(key)
        if raw is not None:
            return raw
        reservation = local.reserve(key)
        raw = None
        try:
            raw = await self.get(key)
        finally:
            local.fill(key, reservation, raw)
        return raw

    def forget(self, keys: Iterable[str]) -> None:
        """Drop keys from the L1 at once: this process's own invalidations, once acknowledged,
        without waiting for Redis' push."""
        if self.local is not None:
            self.local.invalidate(keys)

    async def get_or_raise(self, key: str) -> bytes | None:
        """The value; None on a miss, StoreUnavailable while Redis is unavailable."""
        return _bytes(await self.call(lambda r: r.get(key)))

    async def add(self, key: str, value: bytes, *, milliseconds: int) -> bool | None:
        """Set key unless it exists: True when set, False when it exists, None while Redis is
        unavailable (nobody holds the key then, as far as this process can tell)."""

        async def command(redis: Redis) -> bool:
            return bool(await redis.set(key, value, px=milliseconds, nx=True))

        return await self.run(command, None)

    async def close(self) -> None:
        if self.local is not None:
            await self.local.close()
        await self.redis.aclose()


def _bytes(raw: bytes | str | None) -> bytes | None:
    return raw.encode() if isinstance(raw, str) else raw
