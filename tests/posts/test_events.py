from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.platform.aws.clients import AwsClients
from app.settings import Settings
from tests.aws_helpers import drain
from tests.fixtures.actors import Actor
from tests.helpers import data


@pytest.fixture
def subscriber(settings: Settings) -> Iterator[tuple[AwsClients, str]]:
    """A fresh queue subscribed to the events topic, as a consumer would set it up."""
    clients = AwsClients(settings)
    name = f"events-test-{id(clients)}"
    url = clients.sqs().create_queue(QueueName=name)["QueueUrl"]
    arn = clients.sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    subscription = clients.sns().subscribe(
        TopicArn=clients.topic_arn(settings.events_topic),
        Protocol="sqs",
        Endpoint=arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "true"},
    )
    yield clients, name
    clients.sns().unsubscribe(SubscriptionArn=subscription["SubscriptionArn"])
    clients.sqs().delete_queue(QueueUrl=url)
    clients.close()


async def events(subscriber: tuple[AwsClients, str]) -> list[dict[str, Any]]:
    return await asyncio.to_thread(drain, *subscriber)


async def test_publishing_emits_post_published_once(
    client: httpx.AsyncClient, author: Actor, subscriber: tuple[AwsClients, str]
) -> None:
    post = data(await client.post("/v1/posts", json={"title": "Soon"}, headers=author.headers), 201)
    assert await events(subscriber) == []
    path = f"/v1/posts/{post['id']}"
    current = await client.get(path, headers=author.headers)
    published = await client.patch(
        path,
        json={"status": "published"},
        headers={**author.headers, "If-Match": current.headers["ETag"]},
    )
    body = data(published)
    edited = await client.patch(
        path,
        json={"title": "Edited"},
        headers={**author.headers, "If-Match": published.headers["ETag"]},
    )
    data(edited)
    received = await events(subscriber)
    assert [json.loads(json.dumps(e)) for e in received] == [
        {
            "type": "post.published",
            "postId": post["id"],
            "authorId": str(author.user_id),
            "slug": post["slug"],
            "publishedAt": received[0]["publishedAt"],
        }
    ]
    assert received[0]["publishedAt"][:19] == body["publishedAt"][:19]
