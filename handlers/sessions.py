from __future__ import annotations

from uuid import UUID

from app.authz import Resource
from app.cache import invalidation
from app.core.context import RequestContext
from app.db import models as m
from app.sessions import service as sessions_service
from app.users.service import normalize_email
from generated.models import (
    ListMeta,
    NewSession,
    NewSessionEnvelope,
    Session,
    SessionCreate,
    SessionListEnvelope,
)


def to_session(record: m.Session, *, current_id: UUID) -> Session:
    return Session(
        id=record.id,
        createdAt=record.created_at,
        lastUsedAt=record.last_used_at,
        expiresAt=record.expires_at,
        current=record.id == current_id,
    )


async def create_session(ctx: RequestContext, *, body: SessionCreate) -> NewSessionEnvelope:
    await ctx.state.rate_limits.login_attempt(email=normalize_email(str(body.email.root)))
    record, token = await sessions_service.login(
        session=ctx.session,
        settings=ctx.state.settings,
        email=str(body.email.root),
        password=body.password,
    )
    data = NewSession(id=record.id, token=token, expiresAt=record.expires_at)
    return NewSessionEnvelope(success=True, data=data, error=None)


async def list_sessions(ctx: RequestContext) -> SessionListEnvelope:
    principal = ctx.require_principal()
    records = await sessions_service.list_live(
        session=ctx.session, settings=ctx.state.settings, user_id=principal.user_id
    )
    data = [to_session(r, current_id=principal.session_id) for r in records]
    return SessionListEnvelope(success=True, data=data, error=None, meta=ListMeta(count=len(data)))


async def delete_current_session(ctx: RequestContext) -> None:
    session_id = ctx.require_principal().session_id
    token_hash = await sessions_service.end(session=ctx.session, session_id=session_id)
    invalidation.sessions_ended(ctx, [token_hash] if token_hash else [])


async def delete_session(ctx: RequestContext, *, session_id: UUID) -> None:
    record = await sessions_service.get(session=ctx.session, session_id=session_id)
    ctx.authorize(Resource(type="session", owner_id=record.user_id))
    await sessions_service.end(session=ctx.session, session_id=record.id)
    invalidation.sessions_ended(ctx, [record.token_hash])
