"""The fixed windows on a frozen clock: a window's count ends exactly at its boundary, and a
refusal asks to wait until then."""

from __future__ import annotations

import pytest

from app import errors
from app.platform.cache.store import Store
from app.platform.ratelimit.limiter import Check, RateLimiter, Rule
from app.settings import Quota
from tests.helpers import FrozenClock

pytestmark = pytest.mark.usefixtures("real_redis")

# 1_800_000_000 is a multiple of 60: the first window of these tests starts there.
START = 1_800_000_000.0
RULE = Rule("test-rule", Quota(count=2, seconds=60), "open")


async def refusal(limiter: RateLimiter) -> errors.RateLimited:
    with pytest.raises(errors.RateLimited) as refused:
        await limiter.enforce(Check(RULE, "subject"))
    return refused.value


async def test_the_count_ends_at_the_window_boundary(store: Store) -> None:
    clock = FrozenClock(START + 59.5)
    limiter = RateLimiter(store, clock=clock)
    for _ in range(2):
        await limiter.enforce(Check(RULE, "subject"))
    assert (await refusal(limiter)).headers["Retry-After"] == "1"
    clock.advance(0.5)
    await limiter.enforce(Check(RULE, "subject"))


async def test_a_refusal_waits_the_rest_of_the_window_rounded_up(store: Store) -> None:
    clock = FrozenClock(START + 0.25)
    limiter = RateLimiter(store, clock=clock)
    for _ in range(2):
        await limiter.enforce(Check(RULE, "subject"))
    refused = await refusal(limiter)
    assert refused.headers == {
        "Retry-After": "60",
        "RateLimit-Policy": '"test-rule";q=2;w=60',
        "RateLimit": '"test-rule";r=0;t=60',
    }
    clock.advance(30)
    assert (await refusal(limiter)).headers["Retry-After"] == "30"


async def test_each_subject_counts_on_its_own(store: Store) -> None:
    limiter = RateLimiter(store, clock=FrozenClock(START))
    for _ in range(2):
        await limiter.enforce(Check(RULE, "subject"))
    await limiter.enforce(Check(RULE, "another subject"))
    await refusal(limiter)
