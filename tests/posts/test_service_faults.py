"""Deleting or publishing a post with S3 or the events topic down: the change commits, and
what it owes S3 or SNS waits in the outbox until the service answers again."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.platform.outbox.relay import Relay
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


async def test_deleting_a_post_with_s3_down_deletes_it_and_its_files_follow(
    client: httpx.AsyncClient, author: Actor, settings: Settings, relay: Relay
) -> None:
    post_id = await make_post(client, author)
    attachment_id, _ = await completed_upload(client, author, post_id)

    async with client_for(unreachable(settings, ("s3",))) as down:
        deleted = await down.delete(f"/v1/posts/{post_id}", headers=author.headers)
        assert deleted.status_code == 204

    missing = await client.get(f"/v1/posts/{post_id}", headers=author.headers)
    assert missing.status_code == 404
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
