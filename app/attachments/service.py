"""Uploads: presigned forms out, and nothing trusted back until the object itself is checked."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from app import errors
from app.attachments.repository import AttachmentRepository
from app.jobs import repository as jobs
from app.platform.authz import Caller
from app.platform.aws import messaging, s3
from app.platform.aws.clients import AwsClients
from app.platform.db.models import Attachment, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import service as posts_service
from app.posts.storage import uploads_prefix

CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
MAX_BYTES = 10 * 1024 * 1024
UPLOAD_TTL = timedelta(minutes=5)
DOWNLOAD_TTL_SECONDS = 300
LIST_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Upload:
    attachment: Attachment
    form: s3.PresignedPost
    expires_at: datetime


def _refuse(message: str, kind: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, details=[errors.FieldProblem("upload", message, kind)])


async def create(
    *,
    uow: UnitOfWork,
    clients: AwsClients,
    caller: Caller,
    post_id: uuid.UUID,
    filename: str,
    content_type: str,
    size: int,
) -> Upload:
    """A pending attachment of a post the caller may add to, and the form to upload it with."""
    post = await posts_service.get_visible(uow=uow, caller=caller, post_id=post_id)
    uploader_id = caller.require_principal().user_id
    post_id = post.id
    if content_type not in CONTENT_TYPES:
        raise _refuse("Only PNG, JPEG, WebP and GIF images are accepted.", "content_type")
    if not 0 < size <= MAX_BYTES:
        raise _refuse("An attachment is at most 10 MiB.", "size")
    attachment_id = uuid.uuid4()
    now = utcnow()
    # The key is derived here, never from the client, so an upload cannot land on another post.
    key = f"{uploads_prefix(post_id)}{attachment_id}"
    attachment = Attachment(
        id=attachment_id,
        post_id=post_id,
        uploader_id=uploader_id,
        filename=filename,
        content_type=content_type,
        size=size,
        object_key=key,
        status="pending",
        upload_expires_at=now + UPLOAD_TTL,
        created_at=now,
        updated_at=now,
    )
    form = await s3.presigned_post(
        clients,
        key=key,
        content_type=content_type,
        size=size,
        expires_in=int(UPLOAD_TTL.total_seconds()),
    )
    await AttachmentRepository(uow.session).add(attachment)
    return Upload(attachment=attachment, form=form, expires_at=attachment.upload_expires_at)


async def get_visible(
    *, uow: UnitOfWork, caller: Caller, post_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    """An attachment of a post the caller may do this operation on; 404 for anyone else."""
    post = await posts_service.get_visible(uow=uow, caller=caller, post_id=post_id)
    repository = AttachmentRepository(uow.session)
    found = await repository.get(post_id=post.id, attachment_id=attachment_id)
    if found is None:
        raise errors.NotFound("Attachment not found.")
    return found


def problem_with(attachment: Attachment, info: s3.ObjectInfo) -> tuple[str, str] | None:
    """Why the uploaded object does not match its declaration; None when it does.

    The emulator (and a leaked form) ignore the presigned conditions, so every one is rechecked.
    """
    if info.last_modified > attachment.upload_expires_at:
        return "The file arrived after the upload form expired.", "expired"
    if info.size > MAX_BYTES:
        return "An attachment is at most 10 MiB.", "size"
    if info.size != attachment.size:
        return f"The file has {info.size} bytes, not the declared {attachment.size}.", "size"
    if info.content_type != attachment.content_type:
        return "The file's content type differs from the declared one.", "content_type"
    return None


async def complete(
    *,
    uow: UnitOfWork,
    clients: AwsClients,
    caller: Caller,
    post_id: uuid.UUID,
    attachment_id: uuid.UUID,
) -> Attachment:
    """Check the object, then record a job and queue it: both or neither (else 503)."""
    attachment = await get_visible(
        uow=uow, caller=caller, post_id=post_id, attachment_id=attachment_id
    )
    owner_id = caller.require_principal().user_id
    if attachment.status != "pending":
        raise errors.Conflict("This upload was already completed.")
    info = await s3.head(clients, key=attachment.object_key)
    if info is None:
        # Not invalid content but a step done too early: the form stays usable until it expires.
        raise errors.Conflict("No file was uploaded for this attachment yet.")
    problem = problem_with(attachment, info)
    if problem is not None:
        await s3.delete(clients, key=attachment.object_key)
        raise _refuse(*problem)
    job_id = uuid.uuid4()
    await jobs.create(clients, job_id=job_id, owner_id=owner_id, attachment_id=attachment.id)
    try:
        await messaging.send(
            clients,
            queue=clients.settings.jobs_queue,
            message_type=jobs.PROCESS_ATTACHMENT,
            body={"jobId": str(job_id), "attachmentId": str(attachment.id)},
        )
    except errors.ServiceUnavailable:
        with contextlib.suppress(errors.ServiceUnavailable):
            await jobs.discard(clients, job_id=job_id)
        raise
    attachment.status = "processing"
    attachment.job_id = job_id
    return await AttachmentRepository(uow.session).save(attachment)


async def list_completed(
    *, uow: UnitOfWork, clients: AwsClients, caller: Caller, post_id: uuid.UUID
) -> list[tuple[Attachment, str | None]]:
    """The post's completed attachments, each with a download URL once it is ready."""
    post = await posts_service.get_visible(uow=uow, caller=caller, post_id=post_id)
    repository = AttachmentRepository(uow.session)
    found = await repository.list_completed(post_id=post.id, limit=LIST_LIMIT)
    ready = [a for a in found if a.status == "ready"]
    urls = await s3.presigned_gets(
        clients, keys=[a.object_key for a in ready], expires_in=DOWNLOAD_TTL_SECONDS
    )
    by_id = {a.id: url for a, url in zip(ready, urls, strict=True)}
    return [(a, by_id.get(a.id)) for a in found]


async def delete(
    *,
    uow: UnitOfWork,
    clients: AwsClients,
    caller: Caller,
    post_id: uuid.UUID,
    attachment_id: uuid.UUID,
) -> None:
    """The object first: if S3 is down nothing changes, and a retry deletes both."""
    attachment = await get_visible(
        uow=uow, caller=caller, post_id=post_id, attachment_id=attachment_id
    )
    await s3.delete(clients, key=attachment.object_key)
    await AttachmentRepository(uow.session).delete(attachment.id)
