"""Completing an upload with S3 or the jobs queue down: with S3 down nothing changes (503) and a
retry works; with the queue down the upload is accepted and its job is queued, once, when the
queue answers again (the outbox)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.platform.aws.clients import AwsClients
from app.platform.outbox.relay import Relay
from app.settings import Settings
from tests.aws_helpers import drain
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import client_for, unreachable
from tests.handlers.test_attachments import PNG, complete, make_post, start_upload, upload
from tests.helpers import assert_unavailable, data

LEASE_SECONDS = 0.2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The sweeper may take a row soon after its writer gave up on it.
    return settings.model_copy(update={"outbox_lease_seconds": LEASE_SECONDS})


async def test_complete_with_the_queue_down_is_accepted_and_queues_its_job_once_it_answers(
    client: httpx.AsyncClient, author: Actor, settings: Settings, clients: AwsClients, relay: Relay
) -> None:
    post_id = await make_post(client, author)
    started = await start_upload(client, author, post_id)
    await upload(started, PNG)
    attachment_id = started["attachment"]["id"]
    await asyncio.to_thread(drain, clients, settings.jobs_queue)

    async with client_for(unreachable(settings, ("sqs",))) as down:
        accepted = data(await complete(down, author, post_id, attachment_id), 202)

    assert accepted["status"] == "processing"
    job = data(await client.get(f"/v1/jobs/{accepted['jobId']}", headers=author.headers))
    assert job["status"] == "queued"
    assert await asyncio.to_thread(drain, clients, settings.jobs_queue) == []
    again = await complete(client, author, post_id, attachment_id)
    assert again.status_code == 409

    await asyncio.sleep(LEASE_SECONDS * 2)
    await relay.sweep()
    await relay.sweep()

    sent = await asyncio.to_thread(drain, clients, settings.jobs_queue)
    assert [(m["jobId"], m["attachmentId"]) for m in sent] == [(accepted["jobId"], attachment_id)]


async def test_complete_with_s3_down(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    started = await start_upload(client, author, post_id)
    await upload(started, PNG)
    async with client_for(unreachable(settings, ("s3",))) as down:
        assert_unavailable(await complete(down, author, post_id, started["attachment"]["id"]))
    data(await complete(client, author, post_id, started["attachment"]["id"]), 202)
