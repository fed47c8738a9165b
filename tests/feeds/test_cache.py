"""A feed document's Last-Modified: kept while its content is the same, later when it changes,
and never a moment a client already holds for other content."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from app.feeds import cache as feeds_cache
from app.platform.cache.entry import Entry
from app.platform.cache.reads import Cache
from app.platform.cache.store import Store, connect
from app.settings import Settings
from tests.fixtures.services import free_port

pytestmark = pytest.mark.usefixtures("real_redis")

T0 = datetime(2026, 11, 24, 11, 0, 0, 500_000, tzinfo=UTC)
NAME = feeds_cache.POSTS_FEED


def moment(entry: Entry) -> datetime:
    return feeds_cache.last_modified(entry)


async def stamp(cache: Cache, body: bytes, now: datetime) -> datetime:
    entry = Entry.of_body(body)
    return moment(await feeds_cache.with_last_modified(cache, name=NAME, entry=entry, now=now))


async def test_the_first_render_is_now_to_the_second(cache: Cache) -> None:
    assert await stamp(cache, b"a", T0) == T0.replace(microsecond=0)


async def test_the_same_content_keeps_its_moment(cache: Cache) -> None:
    first = await stamp(cache, b"a", T0)
    assert await stamp(cache, b"a", T0.replace(hour=15)) == first


async def test_new_content_gets_a_later_moment(cache: Cache) -> None:
    await stamp(cache, b"a", T0)
    later = T0.replace(hour=15)
    assert await stamp(cache, b"b", later) == later.replace(microsecond=0)


async def test_content_changing_within_a_second_still_moves_on(cache: Cache) -> None:
    first = await stamp(cache, b"a", T0)
    second = await stamp(cache, b"b", T0)
    third = await stamp(cache, b"a", T0)
    assert (second - first).total_seconds() == 1
    assert (third - second).total_seconds() == 1


async def test_each_document_has_its_own_moment(cache: Cache) -> None:
    await stamp(cache, b"a", T0)
    entry = Entry.of_body(b"a")
    other = await feeds_cache.with_last_modified(
        cache, name=feeds_cache.SITEMAP, entry=entry, now=T0.replace(hour=15)
    )
    assert moment(other) == T0.replace(hour=15, microsecond=0)


async def test_a_malformed_record_counts_as_none(cache: Cache, redis: Redis) -> None:
    await redis.set(feeds_cache.version_key(NAME), b"garbage")
    assert await stamp(cache, b"a", T0) == T0.replace(microsecond=0)
    assert await redis.ttl(feeds_cache.version_key(NAME)) > 0


async def test_without_redis_every_render_is_now(settings: Settings) -> None:
    down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}"})
    store = Store(connect(down), retry_after_seconds=1)
    try:
        cache = Cache(store, down)
        assert await stamp(cache, b"a", T0) == T0.replace(microsecond=0)
        later = T0.replace(minute=5)
        assert await stamp(cache, b"a", later) == later.replace(microsecond=0)
    finally:
        await store.close()
