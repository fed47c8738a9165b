from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from app import errors
from app.attachments.repository import AttachmentRepository
from app.attachments.tasks import process_attachment
from app.bootstrap import open_resources
from app.jobs import repository as jobs
from app.platform.db.database import Database
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.resources import Resources
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import unreachable
from tests.handlers.test_attachments import completed_upload, make_post, object_exists
from tests.helpers import data


@pytest.fixture
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    async with open_resources(settings) as made:
        yield made


async def test_an_unknown_job_is_left_alone(resources: Resources) -> None:
    job_id = uuid.uuid4()
    body = {"jobId": str(job_id), "attachmentId": str(uuid.uuid4())}
    await process_attachment(resources=resources, body=body)
    assert await jobs.get(resources.aws, job_id=job_id) is None


async def test_a_malformed_body_raises(resources: Resources) -> None:
    with pytest.raises(ValueError, match="badly formed"):
        await process_attachment(
            resources=resources, body={"jobId": "not-a-uuid", "attachmentId": str(uuid.uuid4())}
        )
    with pytest.raises(KeyError):
        await process_attachment(resources=resources, body={"jobId": str(uuid.uuid4())})


async def test_a_deleted_file_fails_the_job(
    client: httpx.AsyncClient, author: Actor, settings: Settings, resources: Resources
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)
    await asyncio.to_thread(
        resources.aws.s3().delete_object,
        Bucket=settings.uploads_bucket,
        Key=f"posts/{post_id}/{attachment_id}",
    )
    await process_attachment(
        resources=resources, body={"jobId": job_id, "attachmentId": attachment_id}
    )
    job = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert (job["status"], job["error"]) == ("failed", "The uploaded file is gone.")


async def test_an_attachment_deleted_meanwhile_fails_the_job(
    client: httpx.AsyncClient, author: Actor, database: Database, resources: Resources
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)

    async def remove(uow: UnitOfWork) -> None:
        await AttachmentRepository(uow.session).delete(uuid.UUID(attachment_id))

    await database.transaction(remove)
    await process_attachment(
        resources=resources, body={"jobId": job_id, "attachmentId": attachment_id}
    )
    job = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert (job["status"], job["error"]) == ("failed", "The attachment no longer exists.")


async def test_an_unreachable_s3_raises_and_a_redelivery_finishes_the_job(
    client: httpx.AsyncClient, author: Actor, settings: Settings, resources: Resources
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)
    body = {"jobId": job_id, "attachmentId": attachment_id}
    async with open_resources(unreachable(settings, ("s3",))) as down:
        with pytest.raises(errors.ServiceUnavailable):
            await process_attachment(resources=down, body=body)
    running = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert running["status"] == "running"

    await process_attachment(resources=resources, body=body)

    done = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert (done["status"], done["error"]) == ("succeeded", None)
    assert await object_exists(settings, attachment_id)


async def test_a_redelivered_message_of_a_finished_job_changes_nothing(
    client: httpx.AsyncClient, author: Actor, resources: Resources
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)
    body = {"jobId": job_id, "attachmentId": attachment_id}
    await process_attachment(resources=resources, body=body)
    first = await jobs.get(resources.aws, job_id=uuid.UUID(job_id))
    await process_attachment(resources=resources, body=body)
    second = await jobs.get(resources.aws, job_id=uuid.UUID(job_id))
    assert first is not None
    assert first.status == "succeeded"
    assert second == first
