"""Redis behind short timeouts and a breaker: callers get an answer or StoreUnavailable, fast.

Redis may lose everything at any moment; nothing here is the source of truth. After a failure
the store is skipped for `redis_retry_after_seconds`, then tried again, so recovery needs no
restart. Invalidations are not kept here: they wait in the outbox until Redis acknowledges them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from app.settings import Settings

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
    def __init__(self, redis: Redis, *, retry_after_seconds: float) -> None:
        self.redis = redis
        self.retry_after_seconds = retry_after_seconds
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
        await self.redis.aclose()


def _bytes(raw: bytes | str | None) -> bytes | None:
    return raw.encode() if isinstance(raw, str) else raw
