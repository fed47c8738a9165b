"""Deleting or publishing a post with S3 or the events topic down: 503, and nothing changes."""

from __future__ import annotations

import httpx

from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import client_for, unreachable
from tests.handlers.test_attachments import completed_upload, make_post, object_exists
from tests.helpers import assert_unavailable, data


async def test_deleting_a_post_with_s3_down_keeps_the_post_and_its_attachments(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    attachment_id, _ = await completed_upload(client, author, post_id)

    async with client_for(unreachable(settings, ("s3",))) as down:
        assert_unavailable(await down.delete(f"/v1/posts/{post_id}", headers=author.headers))

    data(await client.get(f"/v1/posts/{post_id}", headers=author.headers))
    assert await object_exists(settings, attachment_id)
    deleted = await client.delete(f"/v1/posts/{post_id}", headers=author.headers)
    assert deleted.status_code == 204
    assert not await object_exists(settings, attachment_id)


async def test_publishing_with_the_events_topic_down_publishes_nothing(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    body = {"title": "Big news", "status": "published"}
    async with client_for(unreachable(settings, ("sns",))) as down:
        assert_unavailable(await down.post("/v1/posts", json=body, headers=author.headers))
        draft = data(
            await down.post("/v1/posts", json={"title": "Quiet"}, headers=author.headers), 201
        )
    assert data(await client.get("/v1/posts", params={"authorId": str(author.user_id)})) == []
    assert draft["status"] == "draft"
    created = data(await client.post("/v1/posts", json=body, headers=author.headers), 201)
    assert created["status"] == "published"
