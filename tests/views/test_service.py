"""The views service: a counter per post, read in batches, and None while it is down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from app import errors
from app.platform.aws.clients import AwsClients
from app.platform.cache.store import Store
from app.settings import Settings
from app.views import buffer, service
from tests.fixtures.aws_faults import unreachable

CONCURRENT = 50


@pytest.fixture
def down(settings: Settings) -> Iterator[AwsClients]:
    """Clients whose DynamoDB does not answer."""
    made = AwsClients(unreachable(settings, ("dynamodb",)))
    yield made
    made.close()


@pytest.fixture
async def redis_down() -> AsyncIterator[Store]:
    """A store whose Redis does not answer."""
    made = Store(Redis.from_url("redis://127.0.0.1:9", socket_timeout=0.2), retry_after_seconds=1)
    yield made
    await made.close()


async def test_an_unseen_post_counts_zero(clients: AwsClients) -> None:
    assert await service.count(clients=clients, post_id=uuid.uuid4()) == 0


async def test_no_posts_need_no_read(down: AwsClients) -> None:
    assert await service.counts(clients=down, post_ids=[]) == {}


async def test_each_view_adds_one_and_answers_the_new_count(
    clients: AwsClients, store: Store
) -> None:
    post_id = uuid.uuid4()
    assert [
        await service.record(clients=clients, store=store, post_id=post_id) for _ in range(3)
    ] == [1, 2, 3]
    assert await service.count(clients=clients, post_id=post_id) == 3


async def test_concurrent_views_are_all_counted(clients: AwsClients, store: Store) -> None:
    post_id = uuid.uuid4()
    answers = await asyncio.gather(
        *(service.record(clients=clients, store=store, post_id=post_id) for _ in range(CONCURRENT))
    )
    assert sorted(answers) == list(range(1, CONCURRENT + 1))


async def test_a_batch_keeps_the_order_and_counts_of_its_posts(
    clients: AwsClients, store: Store
) -> None:
    seen, unseen, twice = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await service.record(clients=clients, store=store, post_id=seen)
    for _ in range(2):
        await service.record(clients=clients, store=store, post_id=twice)

    counts = await service.counts(clients=clients, post_ids=[twice, unseen, seen])

    assert list(counts.items()) == [(twice, 2), (unseen, 0), (seen, 1)]


async def test_while_the_store_is_down_counts_are_none_and_views_are_refused(
    down: AwsClients, store: Store
) -> None:
    posts = [uuid.uuid4(), uuid.uuid4()]
    assert await service.counts(clients=down, post_ids=posts) == dict.fromkeys(posts)
    assert await service.count(clients=down, post_id=posts[0]) is None
    with pytest.raises(errors.ServiceUnavailable):
        await service.record(clients=down, store=store, post_id=posts[0])


async def viewed(clients: AwsClients, store: Store, *, times: int) -> uuid.UUID:
    """A new post with this many views counted, and written to DynamoDB."""
    post_id = uuid.uuid4()
    for _ in range(times):
        await service.record(clients=clients, store=store, post_id=post_id)
    return post_id


async def test_a_read_shows_every_view_so_far_from_redis_without_asking_dynamodb(
    clients: AwsClients, down: AwsClients, store: Store
) -> None:
    post_id = await viewed(clients, store, times=3)
    await store.call(lambda r: r.hincrby(buffer.state_key(post_id), "pending", 2))

    # DynamoDB holds 3; the views not yet written count too, and DynamoDB is not needed.
    assert await service.count(clients=clients, post_id=post_id) == 3
    assert await service.shown(clients=down, store=store, post_id=post_id) == 5


async def test_a_post_redis_lacks_is_read_from_dynamodb_once_and_then_from_redis(
    clients: AwsClients, down: AwsClients, store: Store
) -> None:
    post_id = await viewed(clients, store, times=4)
    await store.call(lambda r: r.delete(buffer.state_key(post_id)))

    assert await service.shown(clients=clients, store=store, post_id=post_id) == 4
    assert await service.shown(clients=down, store=store, post_id=post_id) == 4
    assert await service.record(clients=clients, store=store, post_id=post_id) == 5


async def test_an_unseen_post_shows_zero_and_its_first_view_counts_one(
    clients: AwsClients, store: Store
) -> None:
    post_id = uuid.uuid4()

    assert await service.shown(clients=clients, store=store, post_id=post_id) == 0
    assert await service.record(clients=clients, store=store, post_id=post_id) == 1
    assert await service.shown(clients=clients, store=store, post_id=post_id) == 1


async def test_a_read_that_seeds_keeps_a_view_counted_before_it(
    clients: AwsClients, store: Store
) -> None:
    post_id = await viewed(clients, store, times=1)
    # The hash expired, and a view counted since made it again: pending, with no base yet.
    await store.call(lambda r: r.delete(buffer.state_key(post_id)))
    await store.call(lambda r: r.hincrby(buffer.state_key(post_id), "pending", 1))

    assert await service.shown(clients=clients, store=store, post_id=post_id) == 2
    assert await buffer.totals(store=store, post_id=post_id) == 2


async def test_while_redis_is_down_a_read_shows_the_stored_count(
    clients: AwsClients, store: Store, redis_down: Store
) -> None:
    post_id = await viewed(clients, store, times=2)

    assert await service.shown(clients=clients, store=redis_down, post_id=post_id) == 2


async def test_while_both_stores_are_down_a_read_shows_no_count(
    down: AwsClients, redis_down: Store
) -> None:
    assert await service.shown(clients=down, store=redis_down, post_id=uuid.uuid4()) is None


async def test_while_dynamodb_is_down_a_post_redis_lacks_shows_no_count_and_seeds_nothing(
    down: AwsClients, store: Store
) -> None:
    post_id = uuid.uuid4()

    assert await service.shown(clients=down, store=store, post_id=post_id) is None
    assert await store.call(lambda r: r.exists(buffer.state_key(post_id))) == 0


async def test_the_count_now_of_a_post_redis_lost_is_read_once_and_then_from_redis(
    clients: AwsClients, down: AwsClients, store: Store
) -> None:
    post_id = await viewed(clients, store, times=2)
    await store.call(lambda r: r.delete(buffer.state_key(post_id)))

    assert await service.current(clients=clients, store=store, post_id=post_id) == 2
    assert await service.current(clients=down, store=store, post_id=post_id) == 2
