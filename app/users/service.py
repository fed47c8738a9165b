"""Accounts: registration, profiles and roles."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import errors
from app.db.models import User, utcnow
from app.security.passwords import hash_password
from app.users.repository import UserRepository


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def register(*, session: AsyncSession, email: str, password: str, display_name: str) -> User:
    repository = UserRepository(session)
    normalized = normalize_email(email)
    if await repository.get_by_email(normalized) is not None:
        raise errors.Conflict("An account with this email already exists.")
    user = User(
        email=email.strip(),
        email_normalized=normalized,
        display_name=display_name,
        bio="",
        role="author",
        password_hash=await hash_password(password),
    )
    return await repository.add(user)


async def get(*, session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise errors.NotFound("User not found.")
    return user


async def update_profile(
    *, session: AsyncSession, user_id: uuid.UUID, display_name: str | None, bio: str | None
) -> User:
    user = await get(session=session, user_id=user_id)
    if display_name is not None:
        user.display_name = display_name
    if bio is not None:
        user.bio = bio
    user.updated_at = utcnow()
    return await UserRepository(session).save(user)


async def change_role(*, session: AsyncSession, user_id: uuid.UUID, role: str) -> User:
    user = await get(session=session, user_id=user_id)
    if user.role != role:
        user.role = role
        user.updated_at = utcnow()
        await UserRepository(session).save(user)
    return user
