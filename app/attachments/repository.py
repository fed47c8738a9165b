from __future__ import annotations

import uuid

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db.models import Attachment, utcnow


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

    async def list_completed(self, *, post_id: uuid.UUID, limit: int) -> list[Attachment]:
        statement = (
            select(Attachment)
            .where(Attachment.post_id == post_id, Attachment.status != "pending")
            .order_by(Attachment.created_at.desc(), Attachment.id.desc())
            .limit(limit)
        )
        return list((await self.session.execute(statement)).scalars())

    async def save(self, attachment: Attachment) -> Attachment:
        attachment.updated_at = utcnow()
        await self.session.flush()
        return attachment

    async def set_status_for_job(
        self, *, attachment_id: uuid.UUID, job_id: uuid.UUID, status: str
    ) -> bool:
        """Set the status when the attachment still belongs to this job; False otherwise."""
        result = await self.session.execute(
            update(Attachment)
            .where(Attachment.id == attachment_id, Attachment.job_id == job_id)
            .values(status=status, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))

    async def delete(self, attachment_id: uuid.UUID) -> None:
        await self.session.execute(delete(Attachment).where(Attachment.id == attachment_id))
