"""Accounts: registration, profiles and roles."""

from __future__ import annotations

import uuid

from app import errors
from app.platform.db.models import User, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.emails import normalize_email
from app.platform.security.passwords import hash_password
from app.sessions import service as sessions_service
from app.users.repository import UserRepository


async def register(*, uow: UnitOfWork, email: str, password: str, display_name: str) -> User:
    repository = UserRepository(uow.session)
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


async def get(*, uow: UnitOfWork, user_id: uuid.UUID) -> User:
    user = await UserRepository(uow.session).get(user_id)
    if user is None:
        raise errors.NotFound("User not found.")
    return user


async def get_by_email(*, uow: UnitOfWork, email: str) -> User:
    user = await UserRepository(uow.session).get_by_email(normalize_email(email))
    if user is None:
        raise errors.NotFound(f"No user with email {email!r}.")
    return user


async def update_profile(
    *, uow: UnitOfWork, user_id: uuid.UUID, display_name: str | None, bio: str | None
) -> User:
    user = await get(uow=uow, user_id=user_id)
    if display_name is not None:
        user.display_name = display_name
    if bio is not None:
        user.bio = bio
    user.updated_at = utcnow()
    return await UserRepository(uow.session).save(user)


async def change_role(*, uow: UnitOfWork, user: User, role: str) -> User:
    """Give the user the role; their cached sessions, which carry the old one, end with it.

    The API (updateUserRole) and the command line (`app.cli set-role`) both change roles here.
    """
    if user.role != role:
        user.role = role
        user.updated_at = utcnow()
        await UserRepository(uow.session).save(user)
    await sessions_service.forget_cached(uow=uow, user_id=user.id)
    return user
