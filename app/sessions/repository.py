from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db.models import LoginSession, User


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, record: LoginSession) -> LoginSession:
        self.session.add(record)
        await self.session.flush()
        return record

    async def find_live(
        self, *, token_hash: str, now: datetime, idle_cutoff: datetime
    ) -> tuple[LoginSession, User] | None:
        statement = (
            select(LoginSession, User)
            .join(User, User.id == LoginSession.user_id)
            .where(
                LoginSession.token_hash == token_hash,
                LoginSession.expires_at > now,
                LoginSession.last_used_at > idle_cutoff,
            )
        )
        row = (await self.session.execute(statement)).one_or_none()
        return (row[0], row[1]) if row else None

    async def touch(self, *, session_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(LoginSession).where(LoginSession.id == session_id).values(last_used_at=now)
        )

    async def list_live(
        self, *, user_id: uuid.UUID, now: datetime, idle_cutoff: datetime
    ) -> list[LoginSession]:
        statement = (
            select(LoginSession)
            .where(
                LoginSession.user_id == user_id,
                LoginSession.expires_at > now,
                LoginSession.last_used_at > idle_cutoff,
            )
            .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
        )
        return list((await self.session.execute(statement)).scalars())

    async def user_by_email(self, email_normalized: str) -> User | None:
        """The account a login names; sessions read it themselves, below the users domain."""
        statement = select(User).where(User.email_normalized == email_normalized)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get(self, session_id: uuid.UUID) -> LoginSession | None:
        return await self.session.get(LoginSession, session_id)

    async def delete(self, session_id: uuid.UUID) -> str | None:
        statement = (
            delete(LoginSession)
            .where(LoginSession.id == session_id)
            .returning(LoginSession.token_hash)
        )
        result: str | None = await self.session.scalar(statement)
        return result

    async def token_hashes(self, user_id: uuid.UUID) -> list[str]:
        statement = select(LoginSession.token_hash).where(LoginSession.user_id == user_id)
        return list((await self.session.execute(statement)).scalars())

    async def delete_for_user(self, user_id: uuid.UUID) -> None:
        await self.session.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
