"""The attachment job: what it serves is what it checked, at a key no form can write, and a
duplicated or redelivered message has one effect."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest

from app import errors
from app.attachments import service
from app.attachments.repository import AttachmentRepository
from app.attachments.tasks import JobNotRecorded, process_attachment
from app.bootstrap import open_resources
from app.jobs import repository as jobs
from app.platform.aws import dynamo, s3
from app.platform.db.database import Database
from app.platform.db.models import Attachment, OutboxMessage
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox.relay import Transactions
from app.platform.resources import Resources
from app.posts import storage
from app.settings import Settings
from tests.attachments import samples
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import unreachable
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

# As long as PNG, so the form (which fixes the size) takes it: what an attacker would post.
HTML = b"<html><script>alert(1)</script>".ljust(len(PNG), b" ")
# Another valid image of the same length: a swap the checks alone would not catch.
OTHER_PNG = samples.png(32, 64)


@pytest.fixture
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    async with open_resources(settings) as made:
        yield made


async def test_a_message_ahead_of_its_record_is_retried_not_dropped(
    resources: Resources,
) -> None:
    """The job's record and its message are separate outbox rows; when the message lands first,
    the job raises so the queue delivers it again, and it starts nothing."""
    job_id = uuid.uuid4()
    body = {"jobId": str(job_id), "attachmentId": str(uuid.uuid4())}

    with pytest.raises(JobNotRecorded):
        await process_attachment(resources=resources, body=body)

    assert await jobs.get(resources.aws, job_id=job_id) is None


async def test_a_message_whose_record_lands_later_runs_on_redelivery(
    resources: Resources, client: httpx.AsyncClient, author: Actor, post_id: str
) -> None:
    started, body = await completed(client, author, post_id)
    table = resources.settings.jobs_table
    record = await dynamo.get_item(resources.aws, table=table, key={jobs.KEY: body["jobId"]})
    assert record is not None
    await dynamo.delete_item(resources.aws, table=table, key={jobs.KEY: body["jobId"]})
    with pytest.raises(JobNotRecorded):
        await process_attachment(resources=resources, body=body)

    await dynamo.put_item(resources.aws, table=table, item=record)
    await process_attachment(resources=resources, body=body)

    found = await row(resources.database, started["attachment"]["id"])
    assert found is not None
    assert found.status == "ready"


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
        Key=storage.staging_key(uuid.UUID(post_id), uuid.UUID(attachment_id)),
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


@pytest.fixture
async def post_id(client: httpx.AsyncClient, author: Actor) -> str:
    return await make_post(client, author)


async def completed(
    client: httpx.AsyncClient, author: Actor, post_id: str, content: bytes = PNG
) -> tuple[dict[str, Any], dict[str, str]]:
    """An upload sent with its form and completed: what createAttachment answered (the form
    with it), and the job's message body as the outbox sends it."""
    started = await start_upload(client, author, post_id)
    await upload(started, content)
    attachment_id = started["attachment"]["id"]
    accepted = data(await complete(client, author, post_id, attachment_id), 202)
    body = {
        "jobId": accepted["jobId"],
        "attachmentId": attachment_id,
        "postId": post_id,
        "outboxId": str(uuid.uuid4()),
    }
    return started, body


async def served(
    client: httpx.AsyncClient, author: Actor, post_id: str, attachment_id: str
) -> httpx.Response:
    """The attachment's file, fetched with the download URL the list gives, as a browser would."""
    listed = data(await client.get(f"/v1/posts/{post_id}/attachments", headers=author.headers))
    (found,) = [a for a in listed if a["id"] == attachment_id]
    assert found["status"] == "ready"
    url = found["downloadUrl"]
    assert url is not None
    key = storage.final_key(uuid.UUID(post_id), uuid.UUID(attachment_id))
    # The URL names the final key, which no form can write.
    assert unquote(urlsplit(url).path).endswith(f"/{key}")
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(url)
    assert answer.status_code == 200, answer.text
    return answer


async def stored_bytes(resources: Resources, key: str) -> bytes | None:
    return await s3.read_prefix(resources.aws, key=key, max_bytes=1024 * 1024)


async def row(database: Transactions, attachment_id: str) -> Attachment | None:
    async def read(uow: UnitOfWork) -> Attachment | None:
        return await uow.session.get(Attachment, uuid.UUID(attachment_id))

    return await database.transaction(read)


async def outbox_rows(database: Transactions) -> int:
    async def count(uow: UnitOfWork) -> int:
        return len((await uow.session.scalars(OutboxMessage.__table__.select())).all())

    return await database.transaction(count)


def keys(post_id: str, attachment_id: str) -> tuple[str, str]:
    ids = uuid.UUID(post_id), uuid.UUID(attachment_id)
    return storage.staging_key(*ids), storage.final_key(*ids)


class TestWhatIsServedIsWhatWasChecked:
    async def test_a_file_swapped_after_complete_is_checked_as_served_and_rejected(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        started, body = await completed(client, author, post_id)
        # The form is still valid: post other bytes of the same length before the job runs.
        await upload(started, HTML)

        await process_attachment(resources=resources, body=body)

        job = data(await client.get(f"/v1/jobs/{body['jobId']}", headers=author.headers))
        assert (job["status"], job["result"]) == ("failed", None)
        assert job["error"] == "The file is not a PNG, JPEG, GIF or WebP image."
        listed = data(await client.get(f"/v1/posts/{post_id}/attachments", headers=author.headers))
        assert [(a["status"], a["downloadUrl"]) for a in listed] == [("rejected", None)]
        # Neither the staged file nor its copy is left.
        assert not await object_exists(resources.settings, body["attachmentId"])

    async def test_a_form_posted_again_after_ready_leaves_the_served_bytes_unchanged(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        started, body = await completed(client, author, post_id)
        await process_attachment(resources=resources, body=body)
        before = await served(client, author, post_id, body["attachmentId"])
        assert before.content == PNG

        await upload(started, HTML)

        after = await served(client, author, post_id, body["attachmentId"])
        assert after.content == PNG
        assert after.headers["Content-Type"] == "image/png"
        assert after.headers["Content-Disposition"] == (
            "attachment; filename=\"pic.png\"; filename*=UTF-8''pic.png"
        )
        # The form did write: to the staging key, which nothing serves.
        staging, final = keys(post_id, body["attachmentId"])
        assert await stored_bytes(resources, staging) == HTML
        assert await stored_bytes(resources, final) == PNG

    async def test_the_final_object_carries_its_type_and_a_safe_disposition(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        _, body = await completed(client, author, post_id)
        await process_attachment(resources=resources, body=body)
        staging, final = keys(post_id, body["attachmentId"])

        info = await asyncio.to_thread(
            resources.aws.s3().head_object, Bucket=resources.settings.uploads_bucket, Key=final
        )

        assert info["ContentType"] == "image/png"
        assert info["ContentDisposition"] == (
            "attachment; filename=\"pic.png\"; filename*=UTF-8''pic.png"
        )
        assert await s3.head(resources.aws, key=staging) is None
        kept = await row(resources.database, body["attachmentId"])
        assert kept is not None
        assert (kept.status, kept.object_key) == ("ready", final)

    async def test_completing_again_after_ready_is_a_conflict_and_changes_nothing(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        started, body = await completed(client, author, post_id)
        await process_attachment(resources=resources, body=body)
        await upload(started, HTML)

        again = await complete(client, author, post_id, body["attachmentId"])

        assert_error(again, 409, "CONFLICT")
        assert (await served(client, author, post_id, body["attachmentId"])).content == PNG
        kept = await row(resources.database, body["attachmentId"])
        assert kept is not None
        assert (kept.status, str(kept.job_id)) == ("ready", body["jobId"])


class TestRepeatedDeliveries:
    async def test_a_duplicated_job_message_has_one_effect(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        started, body = await completed(client, author, post_id)
        await process_attachment(resources=resources, body=body)
        job = await jobs.get(resources.aws, job_id=uuid.UUID(body["jobId"]))
        first = await row(resources.database, body["attachmentId"])
        # Bytes at the staging key that any further copy or delete would change.
        await upload(started, OTHER_PNG)

        await process_attachment(resources=resources, body=dict(body))

        assert await jobs.get(resources.aws, job_id=uuid.UUID(body["jobId"])) == job
        second = await row(resources.database, body["attachmentId"])
        assert first is not None
        assert second is not None
        assert (second.status, second.object_key, second.updated_at) == (
            first.status,
            first.object_key,
            first.updated_at,
        )
        staging, final = keys(post_id, body["attachmentId"])
        assert await stored_bytes(resources, staging) == OTHER_PNG
        assert await stored_bytes(resources, final) == PNG
        assert await outbox_rows(resources.database) == 0

    async def test_a_delivery_that_stopped_after_the_copy_converges_on_the_copied_bytes(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        started, body = await completed(client, author, post_id)
        staging, final = keys(post_id, body["attachmentId"])
        # What a delivery that died between its copy and its status update leaves behind.
        assert await jobs.start(resources.aws, job_id=uuid.UUID(body["jobId"]))
        info = await s3.head(resources.aws, key=staging)
        assert info is not None
        copied = await s3.copy_once(
            resources.aws,
            source=staging,
            key=final,
            source_etag=info.etag,
            content_type="image/png",
            content_disposition=service.content_disposition("pic.png"),
        )
        assert copied
        # ...and a form posted again meanwhile with another valid image.
        await upload(started, OTHER_PNG)

        await process_attachment(resources=resources, body=body)

        job = data(await client.get(f"/v1/jobs/{body['jobId']}", headers=author.headers))
        assert (job["status"], job["result"]) == (
            "succeeded",
            {"width": 64, "height": 32, "format": "png"},
        )
        assert (await served(client, author, post_id, body["attachmentId"])).content == PNG
        assert await s3.head(resources.aws, key=staging) is None

    async def test_a_delivery_that_stopped_after_the_status_only_finishes_the_record(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        _, body = await completed(client, author, post_id)
        staging, final = keys(post_id, body["attachmentId"])
        job_id, attachment_id = uuid.UUID(body["jobId"]), uuid.UUID(body["attachmentId"])
        assert await jobs.start(resources.aws, job_id=job_id)
        info = await s3.head(resources.aws, key=staging)
        assert info is not None
        await s3.copy_once(
            resources.aws,
            source=staging,
            key=final,
            source_etag=info.etag,
            content_type="image/png",
            content_disposition=service.content_disposition("pic.png"),
        )
        settled = await resources.database.transaction(
            lambda uow: AttachmentRepository(uow.session).settle(
                attachment_id=attachment_id, job_id=job_id, status="ready", object_key=final
            )
        )
        assert settled
        before = await row(resources.database, body["attachmentId"])

        await process_attachment(resources=resources, body=body)

        job = data(await client.get(f"/v1/jobs/{body['jobId']}", headers=author.headers))
        assert (job["status"], job["result"]) == (
            "succeeded",
            {"width": 64, "height": 32, "format": "png"},
        )
        after = await row(resources.database, body["attachmentId"])
        assert before is not None
        assert after is not None
        assert after.updated_at == before.updated_at
        assert (await served(client, author, post_id, body["attachmentId"])).content == PNG

    async def test_a_job_whose_attachment_was_deleted_after_its_copy_leaves_no_file(
        self,
        client: httpx.AsyncClient,
        author: Actor,
        post_id: str,
        database: Database,
        resources: Resources,
    ) -> None:
        _, body = await completed(client, author, post_id)
        staging, final = keys(post_id, body["attachmentId"])
        info = await s3.head(resources.aws, key=staging)
        assert info is not None
        await s3.copy_once(
            resources.aws,
            source=staging,
            key=final,
            source_etag=info.etag,
            content_type="image/png",
            content_disposition=service.content_disposition("pic.png"),
        )

        async def remove(uow: UnitOfWork) -> None:
            await AttachmentRepository(uow.session).delete(uuid.UUID(body["attachmentId"]))

        await database.transaction(remove)

        await process_attachment(resources=resources, body=body)

        job = data(await client.get(f"/v1/jobs/{body['jobId']}", headers=author.headers))
        assert (job["status"], job["error"]) == ("failed", "The attachment no longer exists.")
        assert not await object_exists(resources.settings, body["attachmentId"])
