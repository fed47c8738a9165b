from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Session, User


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: Session) -> Session:
        self.session.add(record)
        await self.session.flush()
        return record

    async def find_live(
        self, *, token_hash: str, now: datetime, idle_cutoff: datetime
    ) -> tuple[Session, User] | None:
        statement = (
            select(Session, User)
            .join(User, User.id == Session.user_id)
            .where(
                Session.token_hash == token_hash,
                Session.expires_at > now,
                Session.last_used_at > idle_cutoff,
            )
        )
        row = (await self.session.execute(statement)).one_or_none()
        return (row[0], row[1]) if row else None

    async def touch(self, *, session_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(Session).where(Session.id == session_id).values(last_used_at=now)
        )

    async def list_live(
        self, *, user_id: uuid.UUID, now: datetime, idle_cutoff: datetime
    ) -> list[Session]:
        statement = (
            select(Session)
            .where(
                Session.user_id == user_id,
                Session.expires_at > now,
                Session.last_used_at > idle_cutoff,
            )
            .order_by(Session.created_at.desc(), Session.id.desc())
        )
        return list((await self.session.execute(statement)).scalars())

    async def get(self, session_id: uuid.UUID) -> Session | None:
        return await self.session.get(Session, session_id)

    async def delete(self, session_id: uuid.UUID) -> str | None:
        statement = delete(Session).where(Session.id == session_id).returning(Session.token_hash)
        result: str | None = await self.session.scalar(statement)
        return result

    async def token_hashes(self, user_id: uuid.UUID) -> list[str]:
        statement = select(Session.token_hash).where(Session.user_id == user_id)
        return list((await self.session.execute(statement)).scalars())

    async def delete_for_user(self, user_id: uuid.UUID) -> None:
        await self.session.execute(delete(Session).where(Session.user_id == user_id))
