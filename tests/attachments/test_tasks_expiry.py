"""The expiry sweep: pending uploads nobody completed go, with their staged files, a grace
period after their form expired; staged files nothing needs any more go too; nothing else."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from app.attachments import service
from app.attachments.tasks import Expiry, expire_uploads, process_attachment
from app.bootstrap import open_resources
from app.platform.aws import s3
from app.platform.db.models import Attachment, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.resources import Resources
from app.posts import storage
from app.settings import Settings
from tests.attachments.test_tasks import HTML, completed, keys, row, served
from tests.aws_helpers import put_object
from tests.fixtures.actors import Actor
from tests.handlers.test_attachments import PNG, complete, make_post, start_upload, upload
from tests.helpers import assert_error

# Long enough after now that every staged file counts as left over from an expired form.
LATER = service.UPLOAD_TTL + service.PENDING_GRACE + timedelta(minutes=1)


@pytest.fixture
async def resources(settings: Settings) -> AsyncIterator[Resources]:
    async with open_resources(settings) as made:
        yield made


@pytest.fixture
async def post_id(client: httpx.AsyncClient, author: Actor) -> str:
    return await make_post(client, author)


async def form_expired(resources: Resources, attachment_id: str, ago: timedelta) -> None:
    async def unit(uow: UnitOfWork) -> None:
        await uow.session.execute(
            update(Attachment)
            .where(Attachment.id == uuid.UUID(attachment_id))
            .values(upload_expires_at=utcnow() - ago)
        )

    await resources.database.transaction(unit)


async def sweep_until_gone(resources: Resources, key: str) -> None:
    """Run the sweep, later, until key is gone: it looks at a bounded number of staged files per
    run, and files other tests left share the emulator's bucket."""
    for _ in range(50):
        await expire_uploads(resources=resources, now=utcnow() + LATER)
        if await s3.head(resources.aws, key=key) is None:
            return
    raise AssertionError(f"{key} still there")


class TestPendingUploads:
    async def test_one_within_its_grace_is_kept_with_its_file(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        started = await start_upload(client, author, post_id)
        await upload(started, PNG)
        attachment_id = started["attachment"]["id"]
        await form_expired(resources, attachment_id, service.PENDING_GRACE - timedelta(minutes=1))

        assert await expire_uploads(resources=resources) == Expiry(expired=0, leftovers=0)

        assert await row(resources.database, attachment_id) is not None
        staging, _ = keys(post_id, attachment_id)
        assert await s3.head(resources.aws, key=staging) is not None

    async def test_completed_ones_are_never_expired(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        _, body = await completed(client, author, post_id)
        await form_expired(resources, body["attachmentId"], timedelta(days=1))

        assert (await expire_uploads(resources=resources)).expired == 0

        kept = await row(resources.database, body["attachmentId"])
        assert kept is not None
        assert kept.status == "processing"

    async def test_a_processing_ones_staged_file_stays_for_its_job_however_old(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        _, body = await completed(client, author, post_id)
        staging, _ = keys(post_id, body["attachmentId"])

        await expire_uploads(resources=resources, now=utcnow() + LATER)

        assert await s3.head(resources.aws, key=staging) is not None
        await process_attachment(resources=resources, body=body)
        assert (await served(client, author, post_id, body["attachmentId"])).content == PNG

    async def test_one_past_its_grace_is_removed_with_its_staged_file(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        started = await start_upload(client, author, post_id)
        await upload(started, PNG)
        attachment_id = started["attachment"]["id"]
        never_sent = (await start_upload(client, author, post_id))["attachment"]["id"]
        for expired in (attachment_id, never_sent):
            await form_expired(resources, expired, service.PENDING_GRACE + timedelta(seconds=1))

        assert (await expire_uploads(resources=resources)).expired == 2

        for expired in (attachment_id, never_sent):
            assert await row(resources.database, expired) is None
        staging, _ = keys(post_id, attachment_id)
        assert await s3.head(resources.aws, key=staging) is None
        assert_error(await complete(client, author, post_id, attachment_id), 404, "NOT_FOUND")
        assert (await expire_uploads(resources=resources)).expired == 0


class TestLeftoverStagedFiles:
    async def test_a_form_posted_after_ready_leaves_a_file_the_sweep_removes(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        started, body = await completed(client, author, post_id)
        await process_attachment(resources=resources, body=body)
        await upload(started, HTML)
        staging, final = keys(post_id, body["attachmentId"])
        assert await s3.head(resources.aws, key=staging) is not None

        await sweep_until_gone(resources, staging)

        assert await s3.head(resources.aws, key=final) is not None
        assert (await served(client, author, post_id, body["attachmentId"])).content == PNG

    async def test_a_file_posted_for_a_deleted_attachment_is_removed(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        started = await start_upload(client, author, post_id)
        attachment_id = started["attachment"]["id"]
        path = f"/v1/posts/{post_id}/attachments/{attachment_id}"
        assert (await client.delete(path, headers=author.headers)).status_code == 204
        await upload(started, PNG)
        staging, _ = keys(post_id, attachment_id)
        assert await s3.head(resources.aws, key=staging) is not None

        await sweep_until_gone(resources, staging)

    async def test_a_recent_file_is_left_alone(
        self, client: httpx.AsyncClient, author: Actor, post_id: str, resources: Resources
    ) -> None:
        stray = storage.staging_key(uuid.UUID(post_id), uuid.uuid4())
        await s3_put(resources, stray)

        await expire_uploads(resources=resources)

        assert await s3.head(resources.aws, key=stray) is not None

    async def test_a_key_this_app_does_not_make_is_left_alone(self, resources: Resources) -> None:
        stray = f"{storage.STAGING_ROOT}elsewhere/{uuid.uuid4()}"
        await s3_put(resources, stray)

        for _ in range(3):
            await expire_uploads(resources=resources, now=utcnow() + LATER)

        assert await s3.head(resources.aws, key=stray) is not None
        await s3.delete(resources.aws, key=stray)


async def s3_put(resources: Resources, key: str) -> None:
    await put_object(resources.aws, key=key, body=PNG)
