"""The views sweep: what a failed write or a lost flusher left in Redis reaches DynamoDB, once."""

from __future__ import annotations

import asyncio
import math
import time
import uuid

from redis.asyncio import Redis

from app.platform.aws.clients import AwsClients
from app.platform.cache.store import Store
from app.settings import Settings
from app.views import buffer, service, tasks
from tests.fixtures.dynamo_model import Partitions, SimClock
from tests.views.test_buffer import behind, stored

LATER = buffer.SWEEP_GRACE_SECONDS + 1


async def ttl(store: Store, post_id: uuid.UUID) -> int:
    return int(await store.call(lambda r: r.ttl(buffer.state_key(post_id))))


async def dirty(store: Store) -> list[str]:
    """Every post in the dirty set, due or not."""
    return [str(p) for p in await buffer.dirty(store=store, now=math.inf, limit=1000)]


async def stranded_view(store: Store, post_id: uuid.UUID) -> None:
    """A view counted in Redis whose request never wrote it, past the sweep's grace."""
    await buffer.seed(store=store, post_id=post_id, item=None)
    await buffer.add(store=store, post_id=post_id, now=time.time() - LATER)


class TestAFailedWrite:
    async def test_its_views_wait_in_redis_with_no_ttl_until_the_sweep_writes_them(
        self, settings: Settings, clients: AwsClients, store: Store
    ) -> None:
        post_id, clock = uuid.uuid4(), SimClock(now=100.0)
        with behind(settings, Partitions(clock, wcu_per_second=0), attempts=1) as refusing:
            answers = [
                await service.record(clients=refusing, store=store, post_id=post_id, clock=clock)
                for _ in range(3)
            ]
        assert answers == [1, 2, 3]
        assert await stored(clients, post_id) == 0
        # Not evictable under volatile-* while it holds views not yet written.
        assert await ttl(store, post_id) == -1
        assert await dirty(store) == [str(post_id)]

        early = await tasks.flush_stranded(store=store, clients=clients, now=clock.now)
        assert (early, await stored(clients, post_id)) == (tasks.Swept(0, 0), 0)

        swept = await tasks.flush_stranded(store=store, clients=clients, now=clock.now + LATER)

        assert swept == tasks.Swept(posts=1, left=0)
        assert await stored(clients, post_id) == 3
        assert await dirty(store) == []
        assert 0 < await ttl(store, post_id) <= buffer.KEEP_SECONDS
        again = await tasks.flush_stranded(store=store, clients=clients, now=clock.now + LATER)
        assert (again, await stored(clients, post_id)) == (tasks.Swept(0, 0), 3)

    async def test_still_failing_it_stays_for_the_next_sweep(
        self, settings: Settings, clients: AwsClients, store: Store
    ) -> None:
        post_id, clock = uuid.uuid4(), SimClock(now=100.0)
        with behind(settings, Partitions(clock, wcu_per_second=0), attempts=1) as refusing:
            await service.record(clients=refusing, store=store, post_id=post_id, clock=clock)
            swept = await tasks.flush_stranded(store=store, clients=refusing, now=clock.now + LATER)
        assert swept == tasks.Swept(posts=1, left=1)
        assert await service.current(clients=clients, store=store, post_id=post_id) == 1
        await tasks.flush_stranded(store=store, clients=clients, now=clock.now + LATER)
        assert await stored(clients, post_id) == 1


async def test_a_written_post_leaves_the_dirty_set_and_expires_again(
    clients: AwsClients, store: Store
) -> None:
    post_id = uuid.uuid4()
    await service.record(clients=clients, store=store, post_id=post_id)
    assert (await stored(clients, post_id), await dirty(store)) == (1, [])
    assert 0 < await ttl(store, post_id) <= buffer.KEEP_SECONDS


async def test_the_views_of_a_flusher_that_died_are_written_once_its_lease_expires(
    clients: AwsClients, store: Store
) -> None:
    post_id, now = uuid.uuid4(), 100.0
    await buffer.seed(store=store, post_id=post_id, item=None)
    # The dead process took the lease and counted a view, and never wrote it.
    await store.call(lambda r: r.set(buffer.lease_key(post_id), "dead", px=300))
    added = await buffer.add(store=store, post_id=post_id, now=now)
    assert (added.total, added.may_flush) == (1, False)

    held = await tasks.flush_stranded(store=store, clients=clients, now=now + LATER)
    assert (held, await stored(clients, post_id)) == (tasks.Swept(posts=1, left=1), 0)
    await asyncio.sleep(0.4)
    swept = await tasks.flush_stranded(store=store, clients=clients, now=now + LATER)

    assert (swept, await stored(clients, post_id)) == (tasks.Swept(posts=1, left=0), 1)


async def test_a_lease_taken_over_after_it_expired_is_not_released_by_its_first_holder(
    store: Store,
) -> None:
    post_id = uuid.uuid4()
    await store.call(lambda r: r.set(buffer.lease_key(post_id), "second", px=60_000))
    await buffer.release(store=store, post_id=post_id, token="first")
    assert await store.get(buffer.lease_key(post_id)) == b"second"
    await buffer.release(store=store, post_id=post_id, token="second")
    assert await store.get(buffer.lease_key(post_id)) is None


async def test_while_redis_is_unavailable_the_sweep_does_nothing(
    clients: AwsClients, settings: Settings
) -> None:
    down = Store(Redis.from_url("redis://127.0.0.1:9", socket_timeout=0.2), retry_after_seconds=1)
    try:
        assert await tasks.flush_stranded(store=down, clients=clients) == tasks.Swept(0, 0)
    finally:
        await down.close()
