from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db.integrity import flush_or_conflict
from app.platform.db.models import User


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def get_by_email(self, email_normalized: str) -> User | None:
        statement = select(User).where(User.email_normalized == email_normalized)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def add(self, user: User) -> User:
        self.session.add(user)
        await flush_or_conflict(self.session, "An account with this email already exists.")
        return user

    async def save(self, user: User) -> User:
        await flush_or_conflict(self.session, "The change conflicts with another account.")
        return user
