"""Uploads: presigned forms out, and nothing trusted back until the object itself is checked.

A form writes only to the attachment's staging key, which nothing serves. The job
(app/attachments/tasks.py) copies a checked file to its final key, which no form names, and
only then is the attachment ready and given download URLs; a form posted again afterwards
writes to staging only. Pending uploads nobody completed are discarded by the expiry sweep
(`expire_pending`) a grace period after their form expired, with their staged objects.
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import datetime, timedelta
from urllib.parse import quote

import msgspec

from app import errors
from app.attachments.repository import AttachmentRepository, OpenUploads
from app.jobs import repository as jobs
from app.platform.authz import Caller
from app.platform.aws import s3
from app.platform.aws.clients import AwsClients
from app.platform.db.models import Attachment, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages
from app.posts import service as posts_service
from app.posts import storage
from app.posts.authz import PostFacts
from app.settings import Settings

CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
MAX_BYTES = 10 * 1024 * 1024
UPLOAD_TTL = timedelta(minutes=5)
# How long after its form expired a pending upload may still be completed, before the expiry
# sweep discards it: a file sent in the form's last second still has time to be completed.
PENDING_GRACE = timedelta(minutes=10)
EXPIRY_BATCH = 100
DOWNLOAD_TTL_SECONDS = 300
LIST_LIMIT = 100
# Who may do this to a post manages its attachments: sees its uploads in progress.
MANAGE_OPERATION = "createAttachment"
# What a filename keeps in the plain `filename="..."` fallback of Content-Disposition.
_UNSAFE_IN_FALLBACK = re.compile(r"[^A-Za-z0-9._ ()+-]")


class Upload(msgspec.Struct, frozen=True):
    attachment: Attachment
    form: s3.PresignedPost
    expires_at: datetime


class Listed(msgspec.Struct, frozen=True):
    """An attachment as a post's list shows it to one caller."""

    attachment: Attachment
    download_url: str | None
    # The job that checked it: named only to those who manage the post's attachments, whose
    # job it is; for anyone else it does not exist.
    job_id: uuid.UUID | None


def _refuse(message: str, kind: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, details=[errors.FieldProblem("upload", message, kind)])


def _too_many(holder: str, open_uploads: OpenUploads, now: datetime) -> errors.AppError:
    first_expiry = open_uploads.first_expiry or now
    wait = max(1, math.ceil((first_expiry - now).total_seconds()))
    return errors.TooManyPendingUploads(
        f"{holder} the most uploads in progress allowed ({open_uploads.count}): complete or"
        " delete one, or retry after Retry-After seconds, when the first of their forms expires.",
        headers={"Retry-After": str(wait)},
    )


async def _check_open_uploads(
    repository: AttachmentRepository,
    *,
    settings: Settings,
    post_id: uuid.UUID,
    uploader_id: uuid.UUID,
    now: datetime,
) -> None:
    """409 when the post, or the uploader, already has as many uploads in progress as allowed.

    Each open form may still put a file into the bucket. Completing or deleting an upload frees
    its slot, and so does its form expiring, which Retry-After tells. A cap, not a lock:
    concurrent requests may pass it together, the writes rate limit bounds how many.
    """
    on_post = await repository.open_uploads(now=now, post_id=post_id)
    if on_post.count >= settings.attachments_pending_per_post:
        raise _too_many("This post has", on_post, now)
    by_uploader = await repository.open_uploads(now=now, uploader_id=uploader_id)
    if by_uploader.count >= settings.attachments_pending_per_user:
        raise _too_many("You have", by_uploader, now)


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
    now = utcnow()
    repository = AttachmentRepository(uow.session)
    await _check_open_uploads(
        repository, settings=clients.settings, post_id=post_id, uploader_id=uploader_id, now=now
    )
    attachment_id = uuid.uuid4()
    # The key is derived here, never from the client, so an upload cannot land on another post;
    # it is a staging key, which nothing serves (app/posts/storage.py).
    key = storage.staging_key(post_id, attachment_id)
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
    await repository.add(attachment)
    return Upload(attachment=attachment, form=form, expires_at=attachment.upload_expires_at)


async def get_visible(
    *, uow: UnitOfWork, caller: Caller, post_id: uuid.UUID, attachment_id: uuid.UUID
) -> Attachment:
    """An attachment of a post the caller may do this operation on; 404 for anyone else."""
    post = await posts_service.get_visible(uow=uow, caller=caller, post_id=post_id)
    repository = AttachmentRepository(uow.session)
    found = await repository.get(post_id=post.id, attachment_id=attachment_id)
    if found is None:
        raise errors.NotFound.of("attachment")
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
    """Check the object, then mark the attachment processing and, once that commits, record
    its job and queue it (through the outbox, in that order)."""
    attachment = await get_visible(
        uow=uow, caller=caller, post_id=post_id, attachment_id=attachment_id
    )
    owner_id = caller.require_principal().user_id
    if attachment.status != "pending":
        raise errors.Conflict("This upload was already completed.")
    info = await s3.head(clients, key=attachment.object_key)
    if info is None:
        if utcnow() > attachment.upload_expires_at:
            raise errors.Conflict("The upload form expired before a file arrived; start again.")
        # Not invalid content but a step done too early: the form stays usable until it expires.
        raise errors.Conflict("No file was uploaded for this attachment yet.")
    problem = problem_with(attachment, info)
    if problem is not None:
        await s3.delete(clients, key=attachment.object_key)
        raise _refuse(*problem)
    job_id = uuid.uuid4()
    attachment.status = "processing"
    attachment.job_id = job_id
    saved = await AttachmentRepository(uow.session).save(attachment)
    settings = clients.settings
    uow.emit(
        jobs.queued(
            table=settings.jobs_table,
            job_id=job_id,
            owner_id=owner_id,
            attachment_id=attachment.id,
        )
    )
    uow.emit(
        messages.job(
            queue=settings.jobs_queue,
            message_type=jobs.PROCESS_ATTACHMENT,
            body={
                "jobId": str(job_id),
                "attachmentId": str(attachment.id),
                "postId": str(attachment.post_id),
            },
        )
    )
    return saved


def content_disposition(filename: str) -> str:
    """`attachment`, with the uploader's filename: a download URL opened in a browser saves
    the file rather than rendering it as a page (an <img> ignores the header and shows it).

    RFC 6266: the name percent-encoded as UTF-8 in filename*, and an ASCII-only fallback in
    filename, so no quote, backslash, control character or non-ASCII byte reaches the header.
    """
    fallback = _UNSAFE_IN_FALLBACK.sub("_", filename)[:100] or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_of(attachment: Attachment) -> s3.Download:
    return s3.Download(
        key=attachment.object_key,
        content_type=attachment.content_type,
        content_disposition=content_disposition(attachment.filename),
    )


def servable(attachment: Attachment) -> bool:
    """Ready and at its final key: the only objects that get download URLs."""
    return attachment.status == "ready" and storage.is_final(attachment.object_key)


async def list_completed(
    *, uow: UnitOfWork, clients: AwsClients, caller: Caller, post_id: uuid.UUID
) -> list[Listed]:
    """The post's attachments as caller may see them, each with a download URL once ready.

    Whoever may upload to the post (its author, editors and admins, as the policy says) sees
    every completed one, processing and rejected too, with its job; anyone else only the ready
    ones, without it: work in progress is nobody else's business.
    """
    post = await posts_service.get_visible(uow=uow, caller=caller, post_id=post_id)
    manages = caller.allows(PostFacts.of(post).resource(), operation=MANAGE_OPERATION)
    repository = AttachmentRepository(uow.session)
    found = await repository.list_completed(
        post_id=post.id, limit=LIST_LIMIT, ready_only=not manages
    )
    ready = [a for a in found if servable(a)]
    urls = await s3.presigned_gets(
        clients, objects=[download_of(a) for a in ready], expires_in=DOWNLOAD_TTL_SECONDS
    )
    by_id = {a.id: url for a, url in zip(ready, urls, strict=True)}
    return [Listed(a, by_id.get(a.id), a.job_id if manages else None) for a in found]


def objects_of(attachment: Attachment) -> list[str]:
    """Every key an attachment's bytes may be under: its staging key (a form may write there
    until it expires, whatever the status) and its final key."""
    keys = [
        storage.staging_key(attachment.post_id, attachment.id),
        storage.final_key(attachment.post_id, attachment.id),
    ]
    return keys if attachment.object_key in keys else [*keys, attachment.object_key]


def discard_objects(uow: UnitOfWork, attachment: Attachment) -> None:
    """Once the change commits, every object of the attachment goes."""
    for key in objects_of(attachment):
        uow.emit(messages.delete_prefix(prefix=key))


async def delete(
    *,
    uow: UnitOfWork,
    caller: Caller,
    post_id: uuid.UUID,
    attachment_id: uuid.UUID,
) -> None:
    """The row, and once that commits its objects (staged and final)."""
    attachment = await get_visible(
        uow=uow, caller=caller, post_id=post_id, attachment_id=attachment_id
    )
    await AttachmentRepository(uow.session).delete(attachment.id)
    discard_objects(uow, attachment)


async def expire_pending(*, uow: UnitOfWork, now: datetime, limit: int = EXPIRY_BATCH) -> int:
    """Discard up to limit pending uploads whose form expired more than PENDING_GRACE before
    now: the rows, and once that commits their staged objects; how many.

    Deleted rather than marked: an `expired` status would be a new value of the contract's
    AttachmentStatus, which clients that validate responses would refuse, and a new value of the
    table's CHECK constraint, which Aurora DSQL cannot alter in place. A pending upload is seen
    by no list, and completing it afterwards answers 404, as for any attachment that is gone.
    """
    repository = AttachmentRepository(uow.session)
    expired = await repository.delete_expired_pending(cutoff=now - PENDING_GRACE, limit=limit)
    for attachment in expired:
        # Never completed, so never copied: its form's key is the only place its bytes can be.
        uow.emit(messages.delete_prefix(prefix=attachment.object_key))
    return len(expired)


async def discard_leftovers(*, uow: UnitOfWork, keys: list[str]) -> list[str]:
    """Of these staged objects, whose forms expired long ago, the ones no attachment needs any
    more, deleted once this commits: a form posted again after its attachment was settled or
    deleted leaves one. A pending attachment's staged object goes with it (expire_pending), a
    processing one's stays for its job.
    """
    named = {key: storage.parse_staging_key(key) for key in keys}
    ids = [names[1] for names in named.values() if names is not None]
    rows = {a.id: a for a in await AttachmentRepository(uow.session).get_many(ids)}
    leftovers: list[str] = []
    for key, names in named.items():
        if names is None:
            continue  # not a key this app makes: not ours to judge
        row = rows.get(names[1])
        if row is not None and row.post_id == names[0] and row.status in {"pending", "processing"}:
            continue
        uow.emit(messages.delete_prefix(prefix=key))
        leftovers.append(key)
    return leftovers
