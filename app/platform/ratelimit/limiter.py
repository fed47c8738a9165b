"""Fixed-window rate limits in Redis: every check is one atomic MULTI/EXEC round trip.

INCR and EXPIRE run in one transaction on a key named after the current window, so concurrent
requests never lose a count and the key disappears with its window. A fixed window lets a burst
of up to twice the quota straddle a window boundary; the quotas are sized with that in mind.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Literal

import msgspec
from redis.asyncio import Redis

from app import errors
from app.platform.cache.store import Store, StoreUnavailable
from app.settings import Quota

# Seconds since the epoch, as time.time gives them; the windows are counted on it.
Clock = Callable[[], float]


def rate_key(rule: str, subject: str, window: int) -> str:
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    return f"blog:rl1:{rule}:{digest}:{window}"


class Rule(msgspec.Struct, frozen=True):
    name: str
    quota: Quota
    # What happens while Redis is unavailable: let the request through, or refuse it with 503.
    on_outage: Literal["open", "closed"]


class Check(msgspec.Struct, frozen=True):
    rule: Rule
    subject: str


class _Refusal(msgspec.Struct, frozen=True):
    rule: Rule
    retry_after: int


class RateLimiter:
    def __init__(self, store: Store, *, clock: Clock = time.time) -> None:
        self.store = store
        self.clock = clock

    async def enforce(self, *checks: Check) -> None:
        """Count this request against every check; 429 when any of them is over its quota."""
        if not checks:
            return
        now = self.clock()
        windows = [int(now // check.rule.quota.seconds) for check in checks]
        names = [
            rate_key(check.rule.name, check.subject, window)
            for check, window in zip(checks, windows, strict=True)
        ]

        async def count(redis: Redis) -> list[int]:
            async with redis.pipeline(transaction=True) as pipe:
                for check, name in zip(checks, names, strict=True):
                    pipe.incr(name)
                    pipe.expire(name, check.rule.quota.seconds + 1)
                results = await pipe.execute()
            return [int(n) for n in results[::2]]

        try:
            counts = await self.store.call(count)
        except StoreUnavailable:
            if any(check.rule.on_outage == "closed" for check in checks):
                raise errors.ServiceUnavailable(headers={"Retry-After": "1"}) from None
            return
        refusals = [
            _Refusal(
                rule=check.rule,
                retry_after=max(1, math.ceil((window + 1) * check.rule.quota.seconds - now)),
            )
            for check, window, n in zip(checks, windows, counts, strict=True)
            if n > check.rule.quota.count
        ]
        if refusals:
            worst = max(refusals, key=lambda refusal: refusal.retry_after)
            raise errors.RateLimited(headers=_headers(worst))


def _headers(refusal: _Refusal) -> dict[str, str]:
    quota, name, wait = refusal.rule.quota, refusal.rule.name, refusal.retry_after
    return {
        "Retry-After": str(wait),
        "RateLimit-Policy": f'"{name}";q={quota.count};w={quota.seconds}',
        "RateLimit": f'"{name}";r=0;t={wait}',
    }
