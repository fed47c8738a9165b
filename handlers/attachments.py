"""Uploads: in the contract, served by the AWS integration (answers 501 until then)."""

from __future__ import annotations

from uuid import UUID

from app.core import errors
from app.core.context import RequestContext
from generated.models import (
    AttachmentCreate,
    AttachmentEnvelope,
    AttachmentListEnvelope,
    AttachmentUploadEnvelope,
)


async def list_attachments(ctx: RequestContext, *, post_id: UUID) -> AttachmentListEnvelope:
    raise errors.NotImplementedYet()


async def create_attachment(
    ctx: RequestContext, *, post_id: UUID, body: AttachmentCreate
) -> AttachmentUploadEnvelope:
    raise errors.NotImplementedYet()


async def complete_attachment(
    ctx: RequestContext, *, post_id: UUID, attachment_id: UUID
) -> AttachmentEnvelope:
    raise errors.NotImplementedYet()


async def delete_attachment(ctx: RequestContext, *, post_id: UUID, attachment_id: UUID) -> None:
    raise errors.NotImplementedYet()
