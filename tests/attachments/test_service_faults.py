"""Completing an upload with S3 or the jobs queue down: 503, no job left behind, a retry works."""

from __future__ import annotations

import json

import httpx

from app.settings import Settings
from tests.aws_helpers import scan
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import client_for, unreachable
from tests.handlers.test_attachments import PNG, complete, make_post, start_upload, upload
from tests.helpers import assert_unavailable, data


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
