"""Login, bearer-token authentication, logout and revocation."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import Principal
from app.core import errors
from app.db.models import Session, utcnow
from app.security import passwords, tokens
from app.sessions.hashing import hash_token
from app.sessions.repository import SessionRepository
from app.settings import Settings
from app.users.repository import UserRepository
from app.users.service import normalize_email

# Writing last_used_at on every request would turn reads into writes; a minute is precise enough.
TOUCH_INTERVAL = timedelta(seconds=60)


def idle_cutoff(settings: Settings, now: datetime) -> datetime:
    return now - timedelta(seconds=settings.session_idle_ttl_seconds)


async def login(
    *, session: AsyncSession, settings: Settings, email: str, password: str
) -> tuple[Session, str]:
    """A new session and its token; the same error for an unknown email and a wrong password."""
    users = UserRepository(session)
    user = await users.get_by_email(normalize_email(email))
    if not await passwords.verify_password(user.password_hash if user else None, password):
        raise errors.InvalidCredentials()
    assert user is not None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(password)
    token = tokens.new_token()
    now = utcnow()
    record = Session(
        user_id=user.id,
        token_hash=hash_token(settings=settings, token=token),
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(seconds=settings.session_absolute_ttl_seconds),
    )
    return await SessionRepository(session).add(record), token


async def authenticate(*, session: AsyncSession, settings: Settings, token: str) -> Principal:
    if not tokens.looks_like_token(token):
        raise errors.Unauthenticated("The token is not valid.")
    principal, _ = await authenticate_hash(
        session=session, settings=settings, token_hash=hash_token(settings=settings, token=token)
    )
    return principal


async def authenticate_hash(
    *, session: AsyncSession, settings: Settings, token_hash: str
) -> tuple[Principal, datetime]:
    """The live session's principal and its absolute expiry; 401 when it has ended."""
    now = utcnow()
    repository = SessionRepository(session)
    found = await repository.find_live(
        token_hash=token_hash,
        now=now,
        idle_cutoff=idle_cutoff(settings, now),
    )
    if found is None:
        raise errors.Unauthenticated("The session has ended or the token is not valid.")
    record, user = found
    if now - record.last_used_at > TOUCH_INTERVAL:
        await repository.touch(session_id=record.id, now=now)
    return Principal(user_id=user.id, role=user.role, session_id=record.id), record.expires_at


async def list_live(
    *, session: AsyncSession, settings: Settings, user_id: uuid.UUID
) -> list[Session]:
    now = utcnow()
    return await SessionRepository(session).list_live(
        user_id=user_id, now=now, idle_cutoff=idle_cutoff(settings, now)
    )


async def get(*, session: AsyncSession, session_id: uuid.UUID) -> Session:
    record = await SessionRepository(session).get(session_id)
    if record is None:
        raise errors.NotFound("Session not found.")
    return record


async def end(*, session: AsyncSession, session_id: uuid.UUID) -> str | None:
    """End the session; its token hash, so that caches can forget it."""
    return await SessionRepository(session).delete(session_id)


async def token_hashes(*, session: AsyncSession, user_id: uuid.UUID) -> list[str]:
    """The token hashes of every session the user has, ended or not."""
    return await SessionRepository(session).token_hashes(user_id)
