"""The attachment-processing job, and the expiry sweep of uploads nobody completed.

The job takes the file a form wrote to the attachment's staging key, checks it against its
declaration, copies it inside S3 to the final key (which no form names), and checks the copy,
the bytes that will be served, as an image of the declared type. The attachment then becomes
`ready` at its final key, or `rejected`; either way, once that commits, the outbox deletes what
is no longer needed (the staged object; the copy too when rejected). A file that is missing,
unlike its declaration or not an image fails the job for good (its record says why). An
unavailable dependency raises instead, so the queue delivers the message again.

Every step is safe to repeat, so a duplicated or redelivered message has one effect: a
finished job is left alone (jobs.start); a delivery that finds the attachment settled only
finishes the job's record; one that stopped between the copy and the status writes nothing new
(the final key is written once, by S3's conditional copy) and settles from the final object.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import msgspec

from app.attachments import images, service
from app.attachments.repository import AttachmentRepository
from app.jobs import repository as jobs
from app.platform.aws import s3
from app.platform.aws.calls import AwsError
from app.platform.aws.clients import AwsClients
from app.platform.db.models import Attachment, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages
from app.platform.resources import Resources
from app.posts import storage

logger = logging.getLogger(__name__)

GONE = "The uploaded file is gone."
NO_ATTACHMENT = "The attachment no longer exists."
REJECTED = "The file was rejected."
# The worker runs the expiry sweep this often (app/worker): nothing in it is urgent.
EXPIRY_INTERVAL_SECONDS = 60.0
# Batches of expired pending uploads per sweep, and staged objects looked at per sweep.
EXPIRY_BATCHES = 10
LEFTOVER_SCAN_LIMIT = 200

Outcome = tuple[str | None, dict[str, Any] | None]


class JobNotRecorded(Exception):
    """The job's message arrived before its record: the message is retried, not dropped."""


async def process_attachment(*, resources: Resources, body: dict[str, Any]) -> None:
    """Run the job named by body's jobId on body's attachmentId (of body's postId, which older
    messages lack); a finished job is left alone."""
    database, aws = resources.database, resources.aws
    job_id, attachment_id = uuid.UUID(body["jobId"]), uuid.UUID(body["attachmentId"])
    if not await jobs.start(aws, job_id=job_id):
        if await jobs.get(aws, job_id=job_id) is None:
            # Its record is another outbox row, which has not landed yet: SQS delivers again.
            raise JobNotRecorded(job_id)
        logger.info("job already finished", extra={"job_id": str(job_id)})
        return
    attachment = await database.transaction(
        lambda uow: AttachmentRepository(uow.session).get_by_id(attachment_id)
    )
    if attachment is None or attachment.job_id != job_id:
        if attachment is None and "postId" in body:
            # Deleted, maybe after an earlier delivery copied its file: that copy goes too.
            gone = uuid.UUID(body["postId"]), attachment_id
            await database.transaction(lambda uow: _discard(uow, *gone))
        await jobs.finish(aws, job_id=job_id, error=NO_ATTACHMENT)
        return
    if attachment.status == "processing":
        error, result = await _promote(aws, attachment)
        outcome = "rejected" if error else "ready"
        settled = await database.transaction(
            lambda uow: _settle(uow, attachment=attachment, job_id=job_id, outcome=outcome)
        )
        if settled is None:
            error, result = NO_ATTACHMENT, None
        elif settled != outcome:
            # Another delivery of this job settled it first: report what it recorded.
            error, result = await _outcome_of(aws, attachment, status=settled)
    else:
        # An earlier delivery settled it and stopped before finishing the job's record.
        error, result = await _outcome_of(aws, attachment, status=attachment.status)
    await jobs.finish(aws, job_id=job_id, error=error, result=result)


async def _promote(aws: AwsClients, attachment: Attachment) -> Outcome:
    """Copy the staged file to the final key unless a check fails; the final object's verdict.

    Nothing is deleted here: the staged object and the copy stay until the outcome commits.
    """
    staging = attachment.object_key
    final = storage.final_key(attachment.post_id, attachment.id)
    # Rows from before staging keys named their final key in the form: nothing to copy. A final
    # object that exists was copied by an earlier delivery of this job: it is what is checked.
    if staging != final and await s3.head(aws, key=final) is None:
        info = await s3.head(aws, key=staging)
        if info is not None:
            problem = service.problem_with(attachment, info)
            if problem is not None:
                return problem[0], None
            try:
                await s3.copy_once(
                    aws,
                    source=staging,
                    key=final,
                    source_etag=info.etag,
                    content_type=attachment.content_type,
                    content_disposition=service.content_disposition(attachment.filename),
                )
            except AwsError as exc:
                # Gone since the head: nothing to check ("gone"). Replaced since the head (a
                # form posted again): raise, so a redelivery checks the new bytes.
                if not exc.not_found:
                    raise
    found = await s3.read_start(aws, key=final, max_bytes=images.HEADER_BYTES)
    return _inspect(found, attachment)


async def _settle(
    uow: UnitOfWork, *, attachment: Attachment, job_id: uuid.UUID, outcome: str
) -> str | None:
    """Record the outcome unless the attachment is no longer this job's to settle, and have the
    outbox delete what it no longer needs; its status now, None when it is gone."""
    repository = AttachmentRepository(uow.session)
    final = storage.final_key(attachment.post_id, attachment.id)
    key = final if outcome == "ready" else attachment.object_key
    if await repository.settle(
        attachment_id=attachment.id, job_id=job_id, status=outcome, object_key=key
    ):
        for leftover in service.objects_of(attachment):
            if outcome == "rejected" or leftover != final:
                uow.emit(messages.delete_prefix(prefix=leftover))
        return outcome
    current = await repository.get_by_id(attachment.id)
    if current is None or current.job_id != job_id:
        # Deleted while the job ran: its deletes may have run before the copy was made.
        service.discard_objects(uow, attachment)
        return None
    return current.status


async def _discard(uow: UnitOfWork, post_id: uuid.UUID, attachment_id: uuid.UUID) -> None:
    for key in (
        storage.staging_key(post_id, attachment_id),
        storage.final_key(post_id, attachment_id),
    ):
        uow.emit(messages.delete_prefix(prefix=key))


async def _outcome_of(aws: AwsClients, attachment: Attachment, *, status: str) -> Outcome:
    """What the job's record says of an attachment already settled with this status."""
    if status != "ready":
        return REJECTED, None
    final = storage.final_key(attachment.post_id, attachment.id)
    return _inspect(await s3.read_start(aws, key=final, max_bytes=images.HEADER_BYTES), attachment)


def _inspect(found: tuple[bytes, s3.ObjectInfo] | None, attachment: Attachment) -> Outcome:
    if found is None:
        return GONE, None
    data, info = found
    if info.size != attachment.size:
        return f"The file has {info.size} bytes, not the declared {attachment.size}.", None
    try:
        image = images.inspect(data)
    except images.NotAnImage as exc:
        return str(exc), None
    declared = attachment.content_type
    if image.content_type != declared:
        return f"The file is {image.content_type}, not the declared {declared}.", None
    return None, {"width": image.width, "height": image.height, "format": image.format}


class Expiry(msgspec.Struct, frozen=True):
    expired: int
    leftovers: int


async def expire_uploads(*, resources: Resources, now: datetime | None = None) -> Expiry:
    """The expiry sweep: discard pending uploads a grace period after their form expired, and
    staged objects that no attachment needs any more; their objects go through the outbox."""
    database, aws = resources.database, resources.aws
    moment = now or utcnow()
    expired = 0
    for _ in range(EXPIRY_BATCHES):
        count = await database.transaction(lambda uow: service.expire_pending(uow=uow, now=moment))
        expired += count
        if count < service.EXPIRY_BATCH:
            break
    stale = await s3.keys_modified_before(
        aws,
        prefix=storage.STAGING_ROOT,
        before=moment - service.UPLOAD_TTL - service.PENDING_GRACE,
        limit=LEFTOVER_SCAN_LIMIT,
    )
    leftovers: list[str] = []
    if stale:
        leftovers = await database.transaction(
            lambda uow: service.discard_leftovers(uow=uow, keys=stale)
        )
    if expired or leftovers:
        logger.info("uploads expired", extra={"expired": expired, "leftovers": len(leftovers)})
    return Expiry(expired=expired, leftovers=len(leftovers))
