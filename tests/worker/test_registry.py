from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from app import errors
from app.attachments import tasks as attachment_tasks
from app.bootstrap import open_resources
from app.jobs import repository as jobs
from app.password_resets import service as resets
from app.password_resets import tasks as reset_tasks
from app.platform.resources import Resources
from app.settings import Settings
from app.worker import registry
from tests.aws_helpers import mail_for
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import unreachable
from tests.handlers.test_attachments import completed_upload, make_post
from tests.helpers import data


@pytest.fixture
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    async with open_resources(settings) as made:
        yield made


async def test_an_unknown_type_is_a_value_error(resources: Resources) -> None:
    with pytest.raises(ValueError, match=r"unknown job type 'no\.such\.job'"):
        await registry.run_job(resources=resources, body={"type": "no.such.job"})


async def test_a_body_missing_its_fields_raises(resources: Resources) -> None:
    with pytest.raises(KeyError):
        await registry.run_job(resources=resources, body={"type": resets.ISSUE})


async def test_an_unavailable_dependency_raises_for_redelivery(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)
    body = {"jobId": job_id, "attachmentId": attachment_id}
    async with open_resources(unreachable(settings, ("dynamodb",))) as down:
        with pytest.raises(errors.ServiceUnavailable):
            await registry.run_job(resources=down, body=body)
    queued = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert queued["status"] == "queued"


def test_each_message_type_has_its_task() -> None:
    assert {
        jobs.PROCESS_ATTACHMENT: attachment_tasks.process_attachment,
        resets.ISSUE: reset_tasks.issue,
    } == registry.HANDLERS


async def test_a_message_naming_no_type_processes_an_attachment(
    client: httpx.AsyncClient, author: Actor, resources: Resources
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)

    await registry.run_job(
        resources=resources, body={"jobId": job_id, "attachmentId": attachment_id}
    )

    job = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert job["status"] == "succeeded"


async def test_a_reset_message_issues_a_token(
    author: Actor, resources: Resources, settings: Settings
) -> None:
    assert author.email is not None
    await registry.run_job(resources=resources, body={"type": resets.ISSUE, "email": author.email})
    mail = await asyncio.to_thread(mail_for, settings, author.email)
    assert [m["type"] for m in mail] == [resets.REQUESTED]


async def test_handle_records_returns_the_failed_message_ids_in_order(
    resources: Resources,
) -> None:
    unknown = {"jobId": str(uuid.uuid4()), "attachmentId": str(uuid.uuid4())}
    records = [
        {"messageId": "garbled", "body": "{not json"},
        {"messageId": "unknown-job", "body": json.dumps(unknown)},
        {"messageId": "unknown-type", "body": json.dumps({"type": "no.such.job"})},
        {"messageId": "no-email", "body": json.dumps({"type": resets.ISSUE})},
    ]
    failed = await registry.handle_records(resources=resources, records=records)
    # A job without its record comes back until the record lands (or the queue dead-letters it).
    assert failed == ["garbled", "unknown-job", "unknown-type", "no-email"]


async def test_handle_records_with_no_records_fails_none(resources: Resources) -> None:
    assert await registry.handle_records(resources=resources, records=[]) == []
