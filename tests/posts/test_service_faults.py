"""Purging or publishing a post with S3 or the events topic down: the change commits, and
what it owes S3 or SNS waits in the outbox until the service answers again."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from app.platform.aws.clients import AwsClients
from app.platform.cache.reads import Cache
from app.platform.db.database import Database
from app.platform.db.models import utcnow
from app.platform.outbox.relay import Relay
from app.posts import trash
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.fixtures.aws import Subscriber
from tests.fixtures.aws_faults import client_for, unreachable
from tests.handlers.test_attachments import completed_upload, make_post, object_exists
from tests.helpers import data

LEASE_SECONDS = 0.2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The sweeper may take a row soon after its writer gave up on it.
    return settings.model_copy(update={"outbox_lease_seconds": LEASE_SECONDS})


async def test_purging_a_post_with_s3_down_purges_it_and_its_files_follow(
    client: httpx.AsyncClient, author: Actor, settings: Settings, cache: Cache, relay: Relay
) -> None:
    post_id = await make_post(client, author)
    attachment_id, _ = await completed_upload(client, author, post_id)
    assert (await client.delete(f"/v1/posts/{post_id}", headers=author.headers)).status_code == 204
    later = utcnow() + timedelta(days=settings.trash_retention_days, seconds=1)

    down = Database(settings)
    down_clients = AwsClients(unreachable(settings, ("s3",)))
    down.dispatch = Relay(database=down, aws=down_clients, cache=cache, settings=settings).dispatch
    try:
        assert await trash.purge_due(database=down, settings=settings, now=later) == 1
    finally:
        await down.dispose()
        down_clients.close()

    restored = await client.post(f"/v1/posts/{post_id}/restore", headers=author.headers)
    assert restored.status_code == 404
    assert await object_exists(settings, attachment_id)  # owed to S3, not yet sent

    await asyncio.sleep(LEASE_SECONDS * 2)
    swept = await relay.sweep()

    assert swept.delivered == 2  # one delete per prefix: staged and final files (storage.py)
    assert not await object_exists(settings, attachment_id)


async def test_publishing_with_the_events_topic_down_publishes_once_it_answers(
    client: httpx.AsyncClient,
    author: Actor,
    settings: Settings,
    relay: Relay,
    subscriber: Subscriber,
) -> None:
    body = {"title": "Big news", "status": "published"}
    async with client_for(unreachable(settings, ("sns",))) as down:
        created = data(await down.post("/v1/posts", json=body, headers=author.headers), 201)
    assert created["status"] == "published"
    assert await subscriber.events() == []

    await asyncio.sleep(LEASE_SECONDS * 2)
    swept = await relay.sweep()
    again = await relay.sweep()

    assert (swept.delivered, again.delivered) == (1, 0)
    assert [(e["type"], e["postId"]) for e in await subscriber.events()] == [
        ("post.published", created["id"])
    ]
