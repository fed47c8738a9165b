"""The attachment-processing job: check an uploaded file and mark the attachment and its job.

A file that is missing, not an image, or not the declared type fails the job for good (its
record says why, the attachment becomes `rejected` and the object is deleted). An unavailable
dependency raises instead, so the queue delivers the message again.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from app.attachments import images
from app.attachments.repository import AttachmentRepository
from app.jobs import repository as jobs
from app.platform.aws import s3
from app.platform.resources import Resources

logger = logging.getLogger(__name__)


async def process_attachment(*, resources: Resources, body: dict[str, Any]) -> None:
    """Run the job named by body's jobId on body's attachmentId; a finished job is left alone."""
    database, aws = resources.database, resources.aws
    job_id, attachment_id = uuid.UUID(body["jobId"]), uuid.UUID(body["attachmentId"])
    if not await jobs.start(aws, job_id=job_id):
        logger.info("job already finished or unknown", extra={"job_id": str(job_id)})
        return
    attachment = await database.transaction(
        lambda uow: AttachmentRepository(uow.session).get_by_id(attachment_id)
    )
    if attachment is None or attachment.job_id != job_id:
        await jobs.finish(aws, job_id=job_id, error="The attachment no longer exists.")
        return
    data = await s3.read_prefix(aws, key=attachment.object_key, max_bytes=images.HEADER_BYTES)
    error, result = _inspect(data, declared=attachment.content_type)
    if error is not None:
        await s3.delete(aws, key=attachment.object_key)
    await database.transaction(
        lambda uow: AttachmentRepository(uow.session).set_status_for_job(
            attachment_id=attachment_id,
            job_id=job_id,
            status="rejected" if error else "ready",
        )
    )
    await jobs.finish(aws, job_id=job_id, error=error, result=result)


def _inspect(data: bytes | None, *, declared: str) -> tuple[str | None, dict[str, Any] | None]:
    if data is None:
        return "The uploaded file is gone.", None
    try:
        info = images.inspect(data)
    except images.NotAnImage as exc:
        return str(exc), None
    if info.content_type != declared:
        return f"The file is {info.content_type}, not the declared {declared}.", None
    return None, {"width": info.width, "height": info.height, "format": info.format}
