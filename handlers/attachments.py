"""Uploads: presigned forms to S3, checked on completion, processed by a job."""

from __future__ import annotations

from uuid import UUID

from app.attachments import service as attachments_service
from app.http.context import RequestContext
from app.platform.db import models as m
from generated.models import (
    Attachment,
    AttachmentContentType,
    AttachmentCreate,
    AttachmentEnvelope,
    AttachmentListEnvelope,
    AttachmentStatus,
    AttachmentUpload,
    AttachmentUploadEnvelope,
    ListMeta,
    PresignedUpload,
    UploadFields,
    UploadMethod,
)


def to_attachment(attachment: m.Attachment, *, download_url: str | None = None) -> Attachment:
    return Attachment(
        id=attachment.id,
        postId=attachment.post_id,
        filename=attachment.filename,
        contentType=AttachmentContentType(attachment.content_type),
        size=attachment.size,
        status=AttachmentStatus(attachment.status),
        jobId=attachment.job_id,
        downloadUrl=download_url,
        createdAt=attachment.created_at,
    )


def to_listed(item: attachments_service.Listed) -> Attachment:
    """An attachment of a list: its job named only as the service decided."""
    listed = to_attachment(item.attachment, download_url=item.download_url)
    return listed.model_copy(update={"jobId": item.job_id})


async def list_attachments(ctx: RequestContext, *, post_id: UUID) -> AttachmentListEnvelope:
    found = await attachments_service.list_completed(
        uow=ctx.uow, clients=ctx.resources.aws, caller=ctx.caller, post_id=post_id
    )
    return AttachmentListEnvelope(
        success=True,
        data=[to_listed(item) for item in found],
        error=None,
        meta=ListMeta(count=len(found)),
    )


async def create_attachment(
    ctx: RequestContext, *, post_id: UUID, body: AttachmentCreate
) -> AttachmentUploadEnvelope:
    upload = await attachments_service.create(
        uow=ctx.uow,
        clients=ctx.resources.aws,
        caller=ctx.caller,
        post_id=post_id,
        filename=body.filename,
        content_type=body.contentType.value,
        size=body.size,
    )
    return AttachmentUploadEnvelope(
        success=True,
        data=AttachmentUpload(
            attachment=to_attachment(upload.attachment),
            upload=PresignedUpload(
                url=upload.form.url,
                method=UploadMethod.POST,
                fields=UploadFields(upload.form.fields),
                expiresAt=upload.expires_at,
            ),
        ),
        error=None,
    )


async def complete_attachment(
    ctx: RequestContext, *, post_id: UUID, attachment_id: UUID
) -> AttachmentEnvelope:
    attachment = await attachments_service.complete(
        uow=ctx.uow,
        clients=ctx.resources.aws,
        caller=ctx.caller,
        post_id=post_id,
        attachment_id=attachment_id,
    )
    return AttachmentEnvelope(success=True, data=to_attachment(attachment), error=None)


async def delete_attachment(ctx: RequestContext, *, post_id: UUID, attachment_id: UUID) -> None:
    await attachments_service.delete(
        uow=ctx.uow,
        caller=ctx.caller,
        post_id=post_id,
        attachment_id=attachment_id,
    )
