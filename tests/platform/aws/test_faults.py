"""An AWS dependency down mid-request: 503 with Retry-After, nothing half-written, retry works."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from app import errors
from app.password_resets import service as resets
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.settings import Settings
from app.worker import runner as worker
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import client_for, unreachable
from tests.handlers.test_attachments import (
    PNG,
    complete,
    completed_upload,
    make_post,
    object_exists,
    start_upload,
    upload,
)
from tests.helpers import assert_error, data


async def scan(settings: Settings, table: str) -> list[dict[str, object]]:
    clients = AwsClients(settings)
    try:
        answer = await asyncio.to_thread(clients.dynamodb().scan, TableName=table)
    finally:
        clients.close()
    return [dict(item) for item in answer["Items"]]


def assert_unavailable(response: httpx.Response) -> None:
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert int(response.headers["Retry-After"]) > 0


async def test_complete_with_the_queue_down_leaves_no_job(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    started = await start_upload(client, author, post_id)
    await upload(started, PNG)
    attachment_id = started["attachment"]["id"]
    async with client_for(unreachable(settings, ("sqs",))) as down:
        assert_unavailable(await complete(down, author, post_id, attachment_id))
    jobs = await scan(settings, settings.jobs_table)
    assert not [j for j in jobs if json.dumps(j).find(attachment_id) >= 0]
    retried = data(await complete(client, author, post_id, attachment_id), 202)
    assert retried["status"] == "processing"
    job = data(await client.get(f"/v1/jobs/{retried['jobId']}", headers=author.headers))
    assert job["status"] == "queued"


async def test_complete_with_s3_down(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    started = await start_upload(client, author, post_id)
    await upload(started, PNG)
    async with client_for(unreachable(settings, ("s3",))) as down:
        assert_unavailable(await complete(down, author, post_id, started["attachment"]["id"]))
    data(await complete(client, author, post_id, started["attachment"]["id"]), 202)


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


async def test_reset_request_with_the_jobs_queue_down_is_refused(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    async with client_for(unreachable(settings, ("sqs",))) as down:
        response = await down.post("/v1/password-resets", json={"email": author.email})
        assert_unavailable(response)
    again = await client.post("/v1/password-resets", json={"email": author.email})
    assert data(again, 202) == {"status": "accepted"}


async def test_issuing_a_reset_with_the_mail_queue_down_leaves_no_token(
    author: Actor, settings: Settings
) -> None:
    down = unreachable(settings, ("sqs",))
    database, clients = Database(down), AwsClients(down)
    body = {"type": resets.ISSUE, "email": author.email}
    try:
        with pytest.raises(errors.ServiceUnavailable):
            await worker.run_job(database=database, clients=clients, body=body)
    finally:
        clients.close()
        await database.dispose()
    tokens = await scan(settings, settings.resets_table)
    assert not [t for t in tokens if json.dumps(t).find(str(author.user_id)) >= 0]


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
