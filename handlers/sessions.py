from __future__ import annotations

from uuid import UUID

from app.http.context import RequestContext
from app.platform.db import models as m
from app.sessions import service as sessions_service
from generated.models import (
    ListMeta,
    NewSession,
    NewSessionEnvelope,
    Session,
    SessionCreate,
    SessionListEnvelope,
)


def to_session(record: m.LoginSession, *, current_id: UUID) -> Session:
    return Session(
        id=record.id,
        createdAt=record.created_at,
        lastUsedAt=record.last_used_at,
        expiresAt=record.expires_at,
        current=record.id == current_id,
    )


async def create_session(ctx: RequestContext, *, body: SessionCreate) -> NewSessionEnvelope:
    record, token = await sessions_service.login(
        uow=ctx.uow,
        settings=ctx.resources.settings,
        rate_limits=ctx.resources.rate_limits,
        email=str(body.email),
        password=body.password,
        client_ip=ctx.client_ip,
    )
    data = NewSession(id=record.id, token=token, expiresAt=record.expires_at)
    return NewSessionEnvelope(success=True, data=data, error=None)


async def list_sessions(ctx: RequestContext) -> SessionListEnvelope:
    principal = ctx.require_principal()
    records = await sessions_service.list_live(
        uow=ctx.uow, settings=ctx.resources.settings, user_id=principal.user_id
    )
    data = [to_session(r, current_id=principal.session_id) for r in records]
    return SessionListEnvelope(success=True, data=data, error=None, meta=ListMeta(count=len(data)))


async def delete_current_session(ctx: RequestContext) -> None:
    await sessions_service.end_current(uow=ctx.uow, principal=ctx.require_principal())


async def delete_session(ctx: RequestContext, *, session_id: UUID) -> None:
    await sessions_service.revoke(uow=ctx.uow, caller=ctx.caller, session_id=session_id)
