from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.attachments.repository import AttachmentRepository
from app.attachments.service import MAX_BYTES
from app.bootstrap import open_resources
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.platform.db.models import utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import trash
from app.settings import Settings
from app.worker import poller
from tests.attachments import samples
from tests.fixtures.actors import Actor
from tests.helpers import assert_error, data

PNG = samples.png(64, 32)


async def make_post(client: httpx.AsyncClient, actor: Actor, status: str = "draft") -> str:
    body = {"title": "With pictures", "status": status}
    post_id: str = data(await client.post("/v1/posts", json=body, headers=actor.headers), 201)["id"]
    return post_id


async def start_upload(
    client: httpx.AsyncClient,
    actor: Actor,
    post_id: str,
    *,
    content_type: str = "image/png",
    size: int = len(PNG),
) -> dict[str, Any]:
    body = {"filename": "pic.png", "contentType": content_type, "size": size}
    response = await client.post(
        f"/v1/posts/{post_id}/attachments", json=body, headers=actor.headers
    )
    started: dict[str, Any] = data(response, 201)
    return started


async def upload(started: dict[str, Any], content: bytes, content_type: str | None = None) -> None:
    """Send the file to the emulator's S3 with the presigned form, as a browser would."""
    form = dict(started["upload"]["fields"])
    if content_type is not None:
        form["Content-Type"] = content_type
    async with httpx.AsyncClient() as s3:
        answer = await s3.post(started["upload"]["url"], data=form, files={"file": content})
    assert answer.status_code in {200, 201, 204}, answer.text


async def complete(
    client: httpx.AsyncClient, actor: Actor, post_id: str, attachment_id: str
) -> httpx.Response:
    return await client.post(
        f"/v1/posts/{post_id}/attachments/{attachment_id}/complete", headers=actor.headers
    )


async def completed_upload(
    client: httpx.AsyncClient, actor: Actor, post_id: str
) -> tuple[str, str]:
    """A PNG sent with the presigned form and completed: its attachment id and job id."""
    started = await start_upload(client, actor, post_id)
    await upload(started, PNG)
    attachment_id: str = started["attachment"]["id"]
    job_id: str = data(await complete(client, actor, post_id, attachment_id), 202)["jobId"]
    return attachment_id, job_id


async def object_exists(settings: Settings, key_suffix: str) -> bool:
    """An object whose key ends so exists, staged (where forms write) or final (served)."""
    clients = AwsClients(settings)

    def keys() -> list[str]:
        pages = clients.s3().get_paginator("list_objects_v2")
        return [
            item["Key"]
            for prefix in ("posts/", "staging/posts/")
            for page in pages.paginate(Bucket=settings.uploads_bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        ]

    try:
        found = await asyncio.to_thread(keys)
    finally:
        clients.close()
    return any(key.endswith(key_suffix) for key in found)


async def run_worker(settings: Settings) -> int:
    async with open_resources(settings) as resources:
        return await poller.poll(resources=resources, batches=3, wait_seconds=0)


class TestCreate:
    async def test_anonymous(self, client: httpx.AsyncClient, author: Actor) -> None:
        post_id = await make_post(client, author)
        body = {"filename": "a.png", "contentType": "image/png", "size": 10}
        response = await client.post(f"/v1/posts/{post_id}/attachments", json=body)
        assert_error(response, 401, "UNAUTHENTICATED")

    @pytest.mark.parametrize(
        "body",
        [
            {"filename": "a.svg", "contentType": "image/svg+xml", "size": 10},
            {"filename": "a.png", "contentType": "image/png", "size": MAX_BYTES + 1},
            {"filename": "a.png", "contentType": "image/png", "size": 0},
            {"filename": "../a.png", "contentType": "image/png", "size": 10},
            {"filename": "a.png", "contentType": "image/png", "size": 10, "key": "x"},
        ],
    )
    async def test_invalid(
        self, client: httpx.AsyncClient, author: Actor, body: dict[str, Any]
    ) -> None:
        post_id = await make_post(client, author)
        response = await client.post(
            f"/v1/posts/{post_id}/attachments", json=body, headers=author.headers
        )
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_someone_elses_draft_does_not_exist(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        post_id = await make_post(client, author)
        body = {"filename": "a.png", "contentType": "image/png", "size": 10}
        response = await client.post(
            f"/v1/posts/{post_id}/attachments", json=body, headers=other_author.headers
        )
        assert_error(response, 404, "NOT_FOUND")

    async def test_presigned_form(self, client: httpx.AsyncClient, author: Actor) -> None:
        post_id = await make_post(client, author)
        started = await start_upload(client, author, post_id, size=MAX_BYTES)
        attachment, form = started["attachment"], started["upload"]
        assert attachment["status"] == "pending"
        assert attachment["size"] == MAX_BYTES
        assert attachment["downloadUrl"] is None
        assert form["method"] == "POST"
        # A staging key: what a form writes is never served (the job copies it once checked).
        assert form["fields"]["key"] == f"staging/posts/{post_id}/{attachment['id']}"
        assert form["fields"]["Content-Type"] == "image/png"
        assert "policy" in form["fields"]


class TestUploadsInProgress:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"attachments_pending_per_post": 1})

    async def test_past_the_cap_is_409_with_retry_after(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post_id = await make_post(client, author)
        started = await start_upload(client, author, post_id)
        body = {"filename": "b.png", "contentType": "image/png", "size": 10}

        response = await client.post(
            f"/v1/posts/{post_id}/attachments", json=body, headers=author.headers
        )

        error = assert_error(response, 409, "TOO_MANY_PENDING_UPLOADS")
        assert error["message"].startswith("This post has the most uploads in progress allowed (1)")
        assert 0 < int(response.headers["Retry-After"]) <= 300
        await upload(started, PNG)
        data(await complete(client, author, post_id, started["attachment"]["id"]), 202)
        again = (await start_upload(client, author, post_id))["attachment"]
        assert (again["status"], again["postId"]) == ("pending", post_id)
        assert again["id"] != started["attachment"]["id"]


class TestComplete:
    async def test_missing_object(self, client: httpx.AsyncClient, author: Actor) -> None:
        post_id = await make_post(client, author)
        started = await start_upload(client, author, post_id)
        attachment_id = started["attachment"]["id"]
        assert_error(await complete(client, author, post_id, attachment_id), 409, "CONFLICT")
        await upload(started, PNG)
        data(await complete(client, author, post_id, attachment_id), 202)

    async def test_wrong_content_type_is_refused_and_deleted(
        self, client: httpx.AsyncClient, author: Actor, settings: Settings
    ) -> None:
        post_id = await make_post(client, author)
        started = await start_upload(client, author, post_id)
        await upload(started, PNG, content_type="text/html")
        attachment_id = started["attachment"]["id"]
        assert await object_exists(settings, attachment_id)
        error = assert_error(
            await complete(client, author, post_id, attachment_id), 422, "VALIDATION_ERROR"
        )
        assert error["details"][0]["type"] == "content_type"
        assert not await object_exists(settings, attachment_id)

    async def test_one_byte_over_the_limit_is_refused_and_deleted(
        self, client: httpx.AsyncClient, author: Actor, settings: Settings
    ) -> None:
        post_id = await make_post(client, author)
        started = await start_upload(client, author, post_id, size=MAX_BYTES)
        await upload(started, PNG + b"\x00" * (MAX_BYTES + 1 - len(PNG)))
        attachment_id = started["attachment"]["id"]
        error = assert_error(
            await complete(client, author, post_id, attachment_id), 422, "VALIDATION_ERROR"
        )
        assert error["details"][0]["type"] == "size"
        assert not await object_exists(settings, attachment_id)

    async def test_size_differs_from_declared(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post_id = await make_post(client, author)
        started = await start_upload(client, author, post_id, size=len(PNG) + 1)
        await upload(started, PNG)
        error = assert_error(
            await complete(client, author, post_id, started["attachment"]["id"]),
            422,
            "VALIDATION_ERROR",
        )
        assert error["details"][0]["type"] == "size"

    async def test_upload_after_the_form_expired(
        self, client: httpx.AsyncClient, author: Actor, database: Database
    ) -> None:
        post_id = await make_post(client, author)
        started = await start_upload(client, author, post_id)
        attachment_id = started["attachment"]["id"]
        await expire_form(database, attachment_id)
        await upload(started, PNG)
        error = assert_error(
            await complete(client, author, post_id, attachment_id), 422, "VALIDATION_ERROR"
        )
        assert error["details"][0]["type"] == "expired"

    async def test_unknown_attachment(self, client: httpx.AsyncClient, author: Actor) -> None:
        post_id = await make_post(client, author)
        response = await complete(client, author, post_id, "00000000-0000-4000-8000-000000000000")
        assert_error(response, 404, "NOT_FOUND")

    async def test_accepted_once_then_processed(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor, settings: Settings
    ) -> None:
        post_id = await make_post(client, author, status="published")
        started = await start_upload(client, author, post_id)
        await upload(started, PNG)
        attachment_id = started["attachment"]["id"]
        accepted = data(await complete(client, author, post_id, attachment_id), 202)
        assert accepted["status"] == "processing"
        job_id = accepted["jobId"]
        again = await complete(client, author, post_id, attachment_id)
        assert_error(again, 409, "CONFLICT")

        queued = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
        assert (queued["status"], queued["error"], queued["result"]) == ("queued", None, None)
        assert_error(
            await client.get(f"/v1/jobs/{job_id}", headers=other_author.headers), 404, "NOT_FOUND"
        )
        assert_error(await client.get(f"/v1/jobs/{job_id}"), 401, "UNAUTHENTICATED")

        # The queue is shared, so the count of jobs run says nothing: this job's record does.
        await run_worker(settings)
        done = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
        assert done["status"] == "succeeded"
        assert done["result"] == {"width": 64, "height": 32, "format": "png"}
        assert done["updatedAt"] >= done["createdAt"]

        listed = data(await client.get(f"/v1/posts/{post_id}/attachments"), 200)
        assert [a["id"] for a in listed] == [attachment_id]
        assert listed[0]["status"] == "ready"
        async with httpx.AsyncClient() as s3:
            downloaded = await s3.get(listed[0]["downloadUrl"])
        assert downloaded.content == PNG

    async def test_magic_bytes_that_lie_fail_the_job(
        self, client: httpx.AsyncClient, author: Actor, settings: Settings
    ) -> None:
        post_id = await make_post(client, author)
        gif = samples.gif(5, 5)
        started = await start_upload(client, author, post_id, size=len(gif))
        await upload(started, gif)
        attachment_id = started["attachment"]["id"]
        job_id = data(await complete(client, author, post_id, attachment_id), 202)["jobId"]
        await run_worker(settings)
        failed = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
        assert failed["status"] == "failed"
        assert "image/gif" in failed["error"]
        assert failed["result"] is None
        listed = data(await client.get(f"/v1/posts/{post_id}/attachments", headers=author.headers))
        assert [(a["status"], a["downloadUrl"]) for a in listed] == [("rejected", None)]
        assert not await object_exists(settings, attachment_id)


class TestDelete:
    async def test_removes_object_and_record(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor, settings: Settings
    ) -> None:
        post_id = await make_post(client, author, status="published")
        attachment_id, _ = await completed_upload(client, author, post_id)
        path = f"/v1/posts/{post_id}/attachments/{attachment_id}"
        assert_error(await client.delete(path, headers=other_author.headers), 403, "FORBIDDEN")
        assert (await client.delete(path, headers=author.headers)).status_code == 204
        assert not await object_exists(settings, attachment_id)
        assert data(await client.get(f"/v1/posts/{post_id}/attachments")) == []
        assert_error(await client.delete(path, headers=author.headers), 404, "NOT_FOUND")


class TestList:
    @pytest.mark.parametrize("caller", ["anonymous", "author", "editor", "admin"], indirect=True)
    async def test_work_in_progress_is_shown_only_to_who_may_upload(
        self, client: httpx.AsyncClient, other_author: Actor, caller: Actor, settings: Settings
    ) -> None:
        post_id = await make_post(client, other_author, status="published")
        attachment_id, job_id = await completed_upload(client, other_author, post_id)
        path = f"/v1/posts/{post_id}/attachments"
        manages = caller.kind in {"editor", "admin"}

        def shown(listed: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
            return [(a["id"], a["status"], a["jobId"]) for a in listed]

        processing = [(attachment_id, "processing", job_id)]
        assert shown(data(await client.get(path, headers=other_author.headers))) == processing
        listed = data(await client.get(path, headers=caller.headers))
        assert shown(listed) == (processing if manages else [])

        await run_worker(settings)
        job = data(await client.get(f"/v1/jobs/{job_id}", headers=other_author.headers))
        assert (job["id"], job["status"]) == (job_id, "succeeded")
        listed = data(await client.get(path, headers=caller.headers))
        assert shown(listed) == [(attachment_id, "ready", job_id if manages else None)]
        async with httpx.AsyncClient() as s3:
            downloaded = await s3.get(listed[0]["downloadUrl"])
        assert (downloaded.status_code, downloaded.content) == (200, PNG)


class TestDeletingThePost:
    async def test_its_purge_removes_its_objects_and_no_others(
        self, client: httpx.AsyncClient, author: Actor, settings: Settings, database: Database
    ) -> None:
        post_id, kept_post_id = await make_post(client, author), await make_post(client, author)
        completed_id, _ = await completed_upload(client, author, post_id)
        # Uploaded but never completed: no finished attachment, still an object to remove.
        pending = await start_upload(client, author, post_id)
        await upload(pending, PNG)
        kept = await start_upload(client, author, kept_post_id)
        await upload(kept, PNG)

        response = await client.delete(f"/v1/posts/{post_id}", headers=author.headers)
        assert response.status_code == 204
        assert await object_exists(settings, completed_id)  # in the trash, files kept
        later = utcnow() + timedelta(days=settings.trash_retention_days, seconds=1)
        await trash.purge_due(database=database, settings=settings, now=later)

        for attachment_id in (completed_id, pending["attachment"]["id"]):
            assert not await object_exists(settings, attachment_id)
        assert await object_exists(settings, kept["attachment"]["id"])

    async def test_without_attachments(self, client: httpx.AsyncClient, author: Actor) -> None:
        post_id = await make_post(client, author)

        response = await client.delete(f"/v1/posts/{post_id}", headers=author.headers)

        assert response.status_code == 204
        gone = await client.get(f"/v1/posts/{post_id}", headers=author.headers)
        assert_error(gone, 404, "NOT_FOUND")


async def expire_form(
    database: Database, attachment_id: str, *, ago: timedelta = timedelta(seconds=5)
) -> None:
    async def expire(uow: UnitOfWork) -> None:
        session = uow.session
        found = await AttachmentRepository(session).get_by_id(uuid.UUID(attachment_id))
        assert found is not None
        found.upload_expires_at = utcnow() - ago

    await database.transaction(expire)
