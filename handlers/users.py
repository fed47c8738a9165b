from __future__ import annotations

from uuid import UUID

from app.http.context import RequestContext
from app.platform.db import models as m
from app.users import service as users_service
from generated.models import (
    PublicUser,
    PublicUserEnvelope,
    User,
    UserCreate,
    UserEnvelope,
    UserRole,
    UserRoleUpdate,
    UserUpdate,
)


def to_user(user: m.User) -> User:
    return User(
        id=user.id,
        email=user.email,
        displayName=user.display_name,
        bio=user.bio,
        role=UserRole(user.role),
        createdAt=user.created_at,
        updatedAt=user.updated_at,
    )


def to_public_user(user: m.User) -> PublicUser:
    return PublicUser(
        id=user.id,
        displayName=user.display_name,
        bio=user.bio,
        role=UserRole(user.role),
        createdAt=user.created_at,
    )


async def register_user(ctx: RequestContext, *, body: UserCreate) -> UserEnvelope:
    user = await users_service.register(
        uow=ctx.uow,
        email=str(body.email),
        password=body.password,
        display_name=body.displayName,
    )
    ctx.response.headers["Location"] = f"/v1/users/{user.id}"
    return UserEnvelope(success=True, data=to_user(user), error=None)


async def get_current_user(ctx: RequestContext) -> UserEnvelope:
    user = await users_service.get(uow=ctx.uow, user_id=ctx.require_principal().user_id)
    return UserEnvelope(success=True, data=to_user(user), error=None)


async def update_current_user(ctx: RequestContext, *, body: UserUpdate) -> UserEnvelope:
    user = await users_service.update_profile(
        uow=ctx.uow,
        user_id=ctx.require_principal().user_id,
        display_name=body.displayName,
        bio=body.bio,
    )
    return UserEnvelope(success=True, data=to_user(user), error=None)


async def get_user(ctx: RequestContext, *, user_id: UUID) -> PublicUserEnvelope:
    user = await users_service.get(uow=ctx.uow, user_id=user_id)
    return PublicUserEnvelope(success=True, data=to_public_user(user), error=None)


async def update_user_role(
    ctx: RequestContext, *, user_id: UUID, body: UserRoleUpdate
) -> PublicUserEnvelope:
    user = await users_service.change_role(
        uow=ctx.uow,
        user=await users_service.get(uow=ctx.uow, user_id=user_id),
        role=body.role.value,
    )
    return PublicUserEnvelope(success=True, data=to_public_user(user), error=None)
