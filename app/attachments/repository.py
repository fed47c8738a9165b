from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db.models import Attachment, utcnow


class OpenUploads(msgspec.Struct, frozen=True):
    count: int
    # When the first of their forms expires; None when there is none.
    first_expiry: datetime | None


class AttachmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, attachment: Attachment) -> Attachment:
        self.session.add(attachment)
        await self.session.flush()
        return attachment

    async def get(self, *, post_id: uuid.UUID, attachment_id: uuid.UUID) -> Attachment | None:
        statement = select(Attachment).where(
            Attachment.id == attachment_id, Attachment.post_id == post_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get_by_id(self, attachment_id: uuid.UUID) -> Attachment | None:
        return await self.session.get(Attachment, attachment_id)

    async def list_completed(
        self, *, post_id: uuid.UUID, limit: int, ready_only: bool = False
    ) -> list[Attachment]:
        """Up to limit of the post's completed attachments (only the ready ones with
        ready_only), newest first."""
        status = Attachment.status == "ready" if ready_only else Attachment.status != "pending"
        statement = (
            select(Attachment)
            .where(Attachment.post_id == post_id, status)
            .order_by(Attachment.created_at.desc(), Attachment.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(statement)).scalars())

    async def open_uploads(
        self,
        *,
        now: datetime,
        post_id: uuid.UUID | None = None,
        uploader_id: uuid.UUID | None = None,
    ) -> OpenUploads:
        """The uploads of the post (or by the uploader) in progress: pending, with a form that
        has not expired by now."""
        statement = select(func.count(), func.min(Attachment.upload_expires_at)).where(
            Attachment.status == "pending", Attachment.upload_expires_at > now
        )
        if post_id is not None:
            statement = statement.where(Attachment.post_id == post_id)
        if uploader_id is not None:
            statement = statement.where(Attachment.uploader_id == uploader_id)
        count, first_expiry = (await self.session.execute(statement)).one()
        return OpenUploads(count=int(count), first_expiry=first_expiry)

    async def save(self, attachment: Attachment) -> Attachment:
        attachment.updated_at = utcnow()
        await self.session.flush()
        return attachment

    async def get_many(self, ids: list[uuid.UUID]) -> list[Attachment]:
        if not ids:
            return []
        statement = select(Attachment).where(Attachment.id.in_(ids))
        return list((await self.session.execute(statement)).scalars())

    async def settle(
        self, *, attachment_id: uuid.UUID, job_id: uuid.UUID, status: str, object_key: str
    ) -> bool:
        """Move a processing attachment of this job to its outcome; False when it is not
        processing for this job any more (deleted, or settled by another delivery)."""
        result = await self.session.execute(
            update(Attachment)
            .where(
                Attachment.id == attachment_id,
                Attachment.job_id == job_id,
                Attachment.status == "processing",
            )
            .values(status=status, object_key=object_key, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def delete_expired_pending(self, *, cutoff: datetime, limit: int) -> list[Attachment]:
        """Delete up to limit pending attachments whose upload form expired before cutoff; the
        rows deleted. Each is checked again by the DELETE itself, so one completed meanwhile
        stays (and under DSQL's optimistic concurrency the two writes conflict: one retries)."""
        expired = (
            Attachment.status == "pending",
            Attachment.upload_expires_at < cutoff,
        )
        due = (
            select(Attachment.id)
            .where(*expired)
            .order_by(Attachment.upload_expires_at)
            .limit(limit)
        )
        ids = list((await self.session.scalars(due)).all())
        if not ids:
            return []
        deleted = await self.session.scalars(
            delete(Attachment)
            .where(Attachment.id.in_(ids), *expired)
            .returning(Attachment)
            .execution_options(synchronize_session=False)
        )
        return list(deleted.all())

    async def delete(self, attachment_id: uuid.UUID) -> None:
        await self.session.execute(delete(Attachment).where(Attachment.id == attachment_id))
