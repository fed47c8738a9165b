"""Uploads: presigned forms to S3, checked on completion, processed by a job."""

from __future__ import annotations

from uuid import UUID

from app.attachments import service as attachments_service
from app.authz import Resource
from app.core.context import RequestContext
from app.db import models as m
from app.posts import service as posts_service
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


def _resource(post: m.Post) -> Resource:
    return Resource(type="post", owner_id=post.author_id, status=post.status)


async def list_attachments(ctx: RequestContext, *, post_id: UUID) -> AttachmentListEnvelope:
    post = await posts_service.get(session=ctx.session, post_id=post_id)
    ctx.authorize(_resource(post))
    found = await attachments_service.list_completed(
        session=ctx.session, clients=ctx.state.aws, post_id=post.id
    )
    return AttachmentListEnvelope(
        success=True,
        data=[to_attachment(a, download_url=url) for a, url in found],
        error=None,
        meta=ListMeta(count=len(found)),
    )


async def create_attachment(
    ctx: RequestContext, *, post_id: UUID, body: AttachmentCreate
) -> AttachmentUploadEnvelope:
    post = await posts_service.get(session=ctx.session, post_id=post_id)
    ctx.authorize(_resource(post))
    upload = await attachments_service.create(
        session=ctx.session,
        clients=ctx.state.aws,
        post_id=post.id,
        uploader_id=ctx.require_principal().user_id,
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
    post = await posts_service.get(session=ctx.session, post_id=post_id)
    ctx.authorize(_resource(post))
    attachment = await attachments_service.get(
        session=ctx.session, post_id=post.id, attachment_id=attachment_id
    )
    attachment = await attachments_service.complete(
        session=ctx.session,
        clients=ctx.state.aws,
        attachment=attachment,
        owner_id=ctx.require_principal().user_id,
    )
    return AttachmentEnvelope(success=True, data=to_attachment(attachment), error=None)


async def delete_attachment(ctx: RequestContext, *, post_id: UUID, attachment_id: UUID) -> None:
    post = await posts_service.get(session=ctx.session, post_id=post_id)
    ctx.authorize(_resource(post))
    attachment = await attachments_service.get(
        session=ctx.session, post_id=post.id, attachment_id=attachment_id
    )
    await attachments_service.delete(
        session=ctx.session, clients=ctx.state.aws, attachment=attachment
    )
