"""The views service: a counter per post, read in batches, and None while it is down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from app import errors
from app.platform.aws.clients import AwsClients
from app.platform.cache.store import Store
from app.settings import Settings
from app.views import service
from tests.fixtures.aws_faults import unreachable

CONCURRENT = 50


@pytest.fixture
def down(settings: Settings) -> Iterator[AwsClients]:
    """Clients whose DynamoDB does not answer."""
    made = AwsClients(unreachable(settings, ("dynamodb",)))
    yield made
    made.close()


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
