from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from app.attachments.service import PENDING_GRACE
from app.bootstrap import open_resources
from app.platform.aws.clients import AwsClients
from app.platform.cache.store import Store
from app.platform.db.database import Database
from app.platform.db.models import Post, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings, get_settings
from app.views import service as views_service
from app.worker import poller
from tests.fixtures.actors import Actor
from tests.handlers.test_attachments import (
    PNG,
    complete,
    completed_upload,
    expire_form,
    make_post,
    object_exists,
    start_upload,
    upload,
)
from tests.helpers import assert_error, data
from tests.views.test_tasks import stranded_view


@pytest.fixture
async def own_queue(settings: Settings) -> AsyncIterator[Settings]:
    """The settings with a jobs queue of this test's own, whose received messages come back at
    once (no visibility timeout), so a message left in it is seen on the next receive."""
    queue = f"jobs-{uuid.uuid4().hex[:12]}"
    clients = AwsClients(settings)
    try:
        await asyncio.to_thread(
            clients.sqs().create_queue, QueueName=queue, Attributes={"VisibilityTimeout": "0"}
        )
        yield settings.model_copy(update={"jobs_queue": queue})
    finally:
        clients.close()


async def send(settings: Settings, *bodies: str) -> None:
    clients = AwsClients(settings)
    try:
        url = clients.queue_url(settings.jobs_queue)
        for body in bodies:
            await asyncio.to_thread(clients.sqs().send_message, QueueUrl=url, MessageBody=body)
    finally:
        clients.close()


async def left_in_queue(settings: Settings) -> list[str]:
    clients = AwsClients(settings)
    try:
        url = clients.queue_url(settings.jobs_queue)
        answer = await asyncio.to_thread(
            clients.sqs().receive_message, QueueUrl=url, MaxNumberOfMessages=10
        )
    finally:
        clients.close()
    return [m["Body"] for m in answer.get("Messages", [])]


async def test_an_empty_queue_runs_nothing(own_queue: Settings) -> None:
    async with open_resources(own_queue) as resources:
        assert await poller.poll(resources=resources, batches=2, wait_seconds=0) == 0


async def test_zero_batches_receive_nothing(own_queue: Settings) -> None:
    await send(own_queue, json.dumps({"type": "no.such.job"}))
    async with open_resources(own_queue) as resources:
        assert await poller.poll(resources=resources, batches=0, wait_seconds=0) == 0
    assert await left_in_queue(own_queue) == [json.dumps({"type": "no.such.job"})]


async def test_a_failed_message_stays_for_redelivery_and_a_done_one_is_deleted(
    client: httpx.AsyncClient, author: Actor, own_queue: Settings
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)
    good = json.dumps({"jobId": job_id, "attachmentId": attachment_id})
    await send(own_queue, "{not json", good)

    async with open_resources(own_queue) as resources:
        done = await poller.poll(resources=resources, batches=1, wait_seconds=1)

    assert done == 1
    assert await left_in_queue(own_queue) == ["{not json"]
    job = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert job["status"] == "succeeded"


def test_the_cli_rejects_unknown_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        poller.main(["--forever"])
    assert exited.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


@pytest.mark.usefixtures("settings_from_env")
async def test_the_cli_polls_the_queue_its_settings_name(
    client: httpx.AsyncClient,
    author: Actor,
    own_queue: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JOBS_QUEUE", own_queue.jobs_queue)
    get_settings.cache_clear()
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)
    await send(own_queue, json.dumps({"jobId": job_id, "attachmentId": attachment_id}))

    await asyncio.to_thread(poller.main, ["--batches", "1", "--wait-seconds", "1"])

    assert await left_in_queue(own_queue) == []
    job = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert job["status"] == "succeeded"


async def test_a_poll_expires_pending_uploads_past_their_grace(
    client: httpx.AsyncClient, author: Actor, own_queue: Settings, database: Database
) -> None:
    post_id = await make_post(client, author)
    started = await start_upload(client, author, post_id)
    await upload(started, PNG)
    attachment_id = started["attachment"]["id"]
    await expire_form(database, attachment_id, ago=PENDING_GRACE + timedelta(seconds=1))

    async with open_resources(own_queue) as resources:
        await poller.poll(resources=resources, batches=1, wait_seconds=0)

    assert_error(await complete(client, author, post_id, attachment_id), 404, "NOT_FOUND")
    assert not await object_exists(own_queue, attachment_id)


async def past_due(database: Database, post_id: str, *, field: str, ago: timedelta) -> None:
    """Move the post's publish_at or deleted_at into the past, as waiting would."""

    async def unit(uow: UnitOfWork) -> None:
        post = await uow.session.get(Post, uuid.UUID(post_id))
        assert post is not None
        setattr(post, field, utcnow() - ago)

    await database.transaction(unit)


async def test_the_posts_sweep_publishes_due_posts_and_purges_old_trash(
    client: httpx.AsyncClient, author: Actor, database: Database, settings: Settings
) -> None:
    soon = (utcnow() + timedelta(hours=1)).isoformat()
    scheduled = data(
        await client.post(
            "/v1/posts", json={"title": "Soon", "publishAt": soon}, headers=author.headers
        ),
        201,
    )
    await past_due(database, scheduled["id"], field="publish_at", ago=timedelta(seconds=1))
    trashed = await make_post(client, author)
    assert (await client.delete(f"/v1/posts/{trashed}", headers=author.headers)).status_code == 204
    retention = timedelta(days=settings.trash_retention_days, seconds=1)
    await past_due(database, trashed, field="deleted_at", ago=retention)

    async with open_resources(settings) as resources:
        await poller.sweep_posts(resources)

    assert data(await client.get(f"/v1/posts/{scheduled['id']}"))["status"] == "published"
    assert (
        await client.post(f"/v1/posts/{trashed}/restore", headers=author.headers)
    ).status_code == 404


async def test_a_poll_writes_the_views_a_request_left_behind(
    own_queue: Settings, clients: AwsClients, store: Store
) -> None:
    post_id = uuid.uuid4()
    await stranded_view(store, post_id)

    async with open_resources(own_queue) as resources:
        await poller.poll(resources=resources, batches=1, wait_seconds=0)

    assert await views_service.count(clients=clients, post_id=post_id) == 1
