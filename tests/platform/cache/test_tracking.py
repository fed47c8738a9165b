"""The L1 kept coherent by Redis' client-side caching, on a real Redis: two Store instances (two
redis-py clients, as two app instances would hold) share it, and neither is ever served what the
other has since written, tombstoned or lost track of."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import redis as blocking_redis
from redis.asyncio import Redis

from app.platform.cache.entry import TOMBSTONE
from app.platform.cache.local import LocalCache
from app.platform.cache.reads import Cache
from app.platform.cache.store import Store, connect
from app.platform.cache.tracking import FLUSH_AFTER_SECONDS, Clock, Tracking, open_tracking
from app.posts import cache as posts_cache
from app.settings import Settings
from tests.fixtures.database import TEST_PEPPER
from tests.fixtures.services import RedisProcess
from tests.helpers import eventually

# Long enough that a loaded test machine does not lapse the L1 between two lines of a test,
# and short of a freeze (FLUSH_AFTER_SECONDS).
SILENCE = 0.5


def settings_for(url: str | None, **overrides: object) -> Settings:
    base = Settings(
        redis_url=url,
        token_pepper=TEST_PEPPER,
        redis_timeout_seconds=1.0,
        redis_retry_after_seconds=0.0,
        cache_l1_max_silence_seconds=SILENCE,
    )
    return base.model_copy(update=overrides)


@dataclass
class Instance:
    store: Store
    cache: Cache
    tracking: Tracking

    async def warm(self, key: str) -> bytes:
        """Read key until this instance's L1 would serve it."""

        async def served() -> bytes | None:
            await self.store.get_local(key)
            return self.tracking.get(key)

        value = await eventually(served, until=lambda value: value is not None)
        assert value is not None
        return value


@contextlib.asynccontextmanager
async def instance(settings: Settings, *, clock: Clock = time) -> AsyncIterator[Instance]:
    client = connect(settings)
    tracking = open_tracking(settings, client, clock=clock)
    assert tracking is not None
    store = Store(client, retry_after_seconds=settings.redis_retry_after_seconds, local=tracking)
    try:
        await eventually(lambda: asyncio.sleep(0, tracking.connected), until=bool)
        yield Instance(store, Cache(store, settings), tracking)
    finally:
        await store.close()


class ShiftedClock:
    """The real clocks, moved ahead on demand: a freeze the process did not see happen."""

    def __init__(self) -> None:
        self.monotonic_ahead = 0.0
        self.wall_ahead = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.monotonic_ahead

    def time(self) -> float:
        return time.time() + self.wall_ahead


def a_key() -> str:
    return posts_cache.by_id(uuid.uuid4())


@pytest.fixture
def settings(real_redis: str) -> Settings:
    return settings_for(real_redis)


@pytest.fixture
async def a(settings: Settings) -> AsyncIterator[Instance]:
    async with instance(settings) as first:
        yield first


@pytest.fixture
async def b(settings: Settings) -> AsyncIterator[Instance]:
    async with instance(settings) as second:
        yield second


class TestTwoInstances:
    async def test_a_tombstone_from_the_other_instance_is_seen_on_the_next_read(
        self, a: Instance, b: Instance, redis: Redis
    ) -> None:
        key = a_key()
        await redis.set(key, b"old")
        assert await a.warm(key) == b"old"

        await b.cache.apply_invalidation(entries=[key])

        assert a.tracking.get(key) is None
        assert await a.store.get_local(key) == TOMBSTONE
        assert await redis.get(key) == TOMBSTONE

    async def test_a_new_value_from_the_other_instance_is_seen_on_the_next_read(
        self, a: Instance, b: Instance
    ) -> None:
        key = a_key()
        await b.store.add(key, b"old", milliseconds=60_000)
        assert await a.warm(key) == b"old"

        await b.store.run(lambda r: r.set(key, b"new"), None)

        assert await a.store.get_local(key) == b"new"
        assert await a.warm(key) == b"new"

    async def test_a_namespace_bump_reaches_the_other_instance(
        self, a: Instance, b: Instance, redis: Redis
    ) -> None:
        await redis.set(posts_cache.POSTS_NAMESPACE, b"1")
        assert await a.warm(posts_cache.POSTS_NAMESPACE) == b"1"
        await b.cache.apply_invalidation(namespaces=[posts_cache.POSTS_NAMESPACE])
        assert await a.store.get_local(posts_cache.POSTS_NAMESPACE) == b"2"

    async def test_an_own_invalidation_does_not_wait_for_the_push(
        self, settings: Settings, redis: Redis
    ) -> None:
        client = connect(settings)
        pool = client.connection_pool
        # Tracking another prefix: Redis never pushes this key, so only the store can drop it.
        deaf = Tracking(
            lambda: pool.connection_class(**{**pool.connection_kwargs, "protocol": 3}),
            local=LocalCache(max_entries=10, max_age_seconds=60),
            prefix="blog:untracked:",
            max_silence_seconds=SILENCE,
            retry_after_seconds=0.0,
        )
        deaf.start()
        store = Store(client, retry_after_seconds=0.0, local=deaf)
        try:
            key = a_key()
            await redis.set(key, b"old")
            await Instance(store, Cache(store, settings), deaf).warm(key)
            await Cache(store, settings).apply_invalidation(entries=[key])
            assert deaf.local.get(key) is None
        finally:
            await store.close()

    async def test_a_push_waiting_unread_is_never_served_past(
        self, a: Instance, real_redis: str
    ) -> None:
        key = a_key()
        writer = blocking_redis.Redis.from_url(real_redis)
        try:
            writer.set(key, b"old")
            await a.warm(key)
            # Blocking on purpose: the event loop does not run, so Redis' push to this
            # instance arrives (Redis sends it before its reply to the writer) but stays unread.
            writer.set(key, b"new")
        finally:
            writer.close()
        assert a.tracking.get(key) is None
        # Then it moves, one loop iteration at a time, from the socket to the stream's buffer
        # and on to the parser; at no step is the old value served.
        for _ in range(20):
            await asyncio.sleep(0)
            assert a.tracking.get(key) is None
        assert len(a.tracking.local) == 0

    async def test_a_read_racing_a_write_does_not_store_the_old_value(
        self, a: Instance, b: Instance, redis: Redis
    ) -> None:
        key, witness = a_key(), a_key()
        await redis.set(witness, b"w")
        await a.warm(witness)
        reservation = a.tracking.reserve(key)  # a read of key is on its way, with "old"...
        await b.store.run(lambda r: r.set(key, b"new"), None)
        await b.store.run(lambda r: r.set(witness, b"w2"), None)
        # ...and its reply comes after the invalidations were applied.
        await eventually(lambda: asyncio.sleep(0, a.tracking.get(witness)), until=lambda v: not v)
        a.tracking.fill(key, reservation, b"old")
        assert a.tracking.local.get(key) is None

    async def test_a_tombstone_is_never_served_locally(self, a: Instance, redis: Redis) -> None:
        key = a_key()
        await redis.set(key, TOMBSTONE, px=5000)
        for _ in range(3):
            assert await a.store.get_local(key) == TOMBSTONE
        assert a.tracking.get(key) is None
        assert len(a.tracking.local) == 0

    async def test_a_flushed_database_flushes_the_l1(self, a: Instance, redis: Redis) -> None:
        key = a_key()
        await redis.set(key, b"v")
        await a.warm(key)
        await redis.flushdb()
        await eventually(lambda: asyncio.sleep(0, len(a.tracking.local)), until=lambda n: n == 0)


class TestLosingTrack:
    async def test_a_dropped_connection_flushes_and_then_reconnects(
        self, a: Instance, redis: Redis
    ) -> None:
        key = a_key()
        await redis.set(key, b"old")
        await a.warm(key)
        (tracker,) = [c for c in await redis.client_list() if "t" in c["flags"]]
        await redis.client_kill_filter(_id=tracker["id"])

        # Not yet noticed by the listener, but the closed socket is unread: nothing is served.
        assert a.tracking.get(key) is None
        await eventually(lambda: asyncio.sleep(0, a.tracking.connected), until=lambda c: not c)
        assert len(a.tracking.local) == 0
        # A write nobody told this instance about is still read, from Redis.
        await redis.set(key, b"written while untracked")
        assert await a.store.get_local(key) == b"written while untracked"
        assert await a.warm(key) == b"written while untracked"

    @pytest.mark.parametrize("clock", ["monotonic", "wall"])
    async def test_a_freeze_flushes_the_l1(
        self, settings: Settings, redis: Redis, clock: str
    ) -> None:
        shifted = ShiftedClock()
        async with instance(settings, clock=shifted) as frozen:
            key = a_key()
            await redis.set(key, b"v")
            await frozen.warm(key)
            # Thawed: longer than a freeze's threshold passed since the last heartbeat answered.
            if clock == "monotonic":
                shifted.monotonic_ahead += FLUSH_AFTER_SECONDS + 0.1
            else:
                shifted.wall_ahead += FLUSH_AFTER_SECONDS + 0.1
            assert frozen.tracking.get(key) is None
            assert len(frozen.tracking.local) == 0
            # The next heartbeat answered lets it serve again.
            assert await frozen.warm(key) == b"v"

    async def test_a_short_silence_stops_serving_until_the_next_heartbeat(
        self, settings: Settings, redis: Redis
    ) -> None:
        shifted = ShiftedClock()
        async with instance(settings, clock=shifted) as held_up:
            key = a_key()
            await redis.set(key, b"v")
            await held_up.warm(key)
            shifted.monotonic_ahead += SILENCE + 0.1
            assert held_up.tracking.get(key) is None
            assert held_up.tracking.local.get(key) == b"v"
            await eventually(
                lambda: asyncio.sleep(0, held_up.tracking.get(key)), until=lambda v: v == b"v"
            )

    async def test_a_stalled_redis_stops_the_l1_within_the_silence_bound(
        self, redis_process: RedisProcess
    ) -> None:
        async with instance(settings_for(redis_process.url)) as stalled:
            key = a_key()
            await stalled.store.add(key, b"v", milliseconds=60_000)
            await stalled.warm(key)
            redis_process.pause()
            try:
                await asyncio.sleep(SILENCE * 1.5)
                assert stalled.tracking.get(key) is None
            finally:
                redis_process.resume()
            assert await stalled.warm(key) == b"v"

    async def test_an_l1_read_while_the_breaker_is_open_goes_to_redis(
        self, a: Instance, redis: Redis
    ) -> None:
        key = a_key()
        await redis.set(key, b"v")
        await a.warm(key)
        a.store.retry_after_seconds = 60.0
        await a.store.run(lambda r: r.incr(key), None)  # not an integer: an error
        assert not a.store.available
        assert await a.store.get_local(key) is None


class TestOff:
    def test_the_in_process_stand_in_has_no_l1(self) -> None:
        settings = settings_for(None)
        assert open_tracking(settings, connect(settings)) is None

    @pytest.mark.parametrize("setting", ["cache_l1_enabled", "cache_enabled"])
    def test_turned_off(self, setting: str) -> None:
        settings = settings_for("redis://127.0.0.1:1/0", **{setting: False})
        assert open_tracking(settings, connect(settings)) is None

    async def test_a_server_refusing_tracking_leaves_it_off(
        self, real_redis: str, redis: Redis
    ) -> None:
        user, password = f"l1-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
        await redis.acl_setuser(
            user,
            enabled=True,
            passwords=[f"+{password}"],
            keys=["*"],
            commands=["+@all", "-client|tracking"],
        )
        try:
            url = real_redis.replace("redis://", f"redis://{user}:{password}@")
            settings = settings_for(url)
            client = connect(settings)
            tracking = open_tracking(settings, client)
            assert tracking is not None
            store = Store(client, retry_after_seconds=0.0, local=tracking)
            try:
                await eventually(lambda: asyncio.sleep(0, tracking.running), until=lambda r: not r)
                key = a_key()
                await redis.set(key, b"v")
                for _ in range(3):
                    assert await store.get_local(key) == b"v"
                assert not tracking.connected
                assert len(tracking.local) == 0
            finally:
                await store.close()
        finally:
            await redis.acl_deluser(user)
