"""Login, bearer-token authentication, logout and revocation."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from app import errors
from app.platform.authz import Caller, Principal, Resource
from app.platform.db.models import LoginSession, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.emails import normalize_email
from app.platform.ratelimit.policy import RateLimits
from app.platform.security import passwords, tokens
from app.sessions import cache as sessions_cache
from app.sessions.hashing import hash_token
from app.sessions.repository import SessionRepository
from app.settings import Settings

# Writing last_used_at on every request would turn reads into writes; a minute is precise enough.
TOUCH_INTERVAL = timedelta(seconds=60)


def idle_cutoff(settings: Settings, now: datetime) -> datetime:
    return now - timedelta(seconds=settings.session_idle_ttl_seconds)


async def login(
    *,
    uow: UnitOfWork,
    settings: Settings,
    rate_limits: RateLimits,
    email: str,
    password: str,
    client_ip: str,
) -> tuple[LoginSession, str]:
    """A new session and its token; the same error for an unknown email and a wrong password.

    The attempt counts against the account's limits (from this address, then from everywhere)
    before the password is checked, so guessing costs no hashing past the limit.
    """
    normalized = normalize_email(email)
    await rate_limits.login_attempt(email=normalized, client_ip=client_ip)
    repository = SessionRepository(uow.session)
    user = await repository.user_by_email(normalized)
    if not await passwords.verify_password(user.password_hash if user else None, password):
        raise errors.InvalidCredentials()
    assert user is not None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(password)
    token = tokens.new_token()
    now = utcnow()
    record = LoginSession(
        user_id=user.id,
        token_hash=hash_token(settings=settings, token=token),
        created_at=now,
        last_used_at=now,
        expires_at=now + timedelta(seconds=settings.session_absolute_ttl_seconds),
    )
    return await repository.add(record), token


async def authenticate_hash(
    *, uow: UnitOfWork, settings: Settings, token_hash: str
) -> tuple[Principal, datetime]:
    """The live session's principal and its absolute expiry; 401 when it has ended."""
    now = utcnow()
    repository = SessionRepository(uow.session)
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
    *, uow: UnitOfWork, settings: Settings, user_id: uuid.UUID
) -> list[LoginSession]:
    now = utcnow()
    return await SessionRepository(uow.session).list_live(
        user_id=user_id, now=now, idle_cutoff=idle_cutoff(settings, now)
    )


async def end_current(*, uow: UnitOfWork, principal: Principal) -> None:
    """Log out: end the session the caller presented."""
    token_hash = await SessionRepository(uow.session).delete(principal.session_id)
    sessions_cache.sessions_ended(uow, token_hashes=[token_hash] if token_hash else [])


async def revoke(*, uow: UnitOfWork, caller: Caller, session_id: uuid.UUID) -> None:
    """End one of the caller's sessions; other people's sessions do not exist for them."""
    repository = SessionRepository(uow.session)
    record = await repository.get(session_id)
    if record is None:
        raise errors.NotFound.of("session")
    caller.require(Resource(type="session", owner_id=record.user_id))
    await repository.delete(record.id)
    sessions_cache.sessions_ended(uow, token_hashes=[record.token_hash])


async def end_all(*, uow: UnitOfWork, user_id: uuid.UUID) -> None:
    """End every session of the user (a password reset)."""
    repository = SessionRepository(uow.session)
    ended = await repository.token_hashes(user_id)
    await repository.delete_for_user(user_id)
    sessions_cache.sessions_ended(uow, token_hashes=ended)


async def forget_cached(*, uow: UnitOfWork, user_id: uuid.UUID) -> None:
    """Once this change commits, the user's next request with any token reads the database."""
    hashes = await SessionRepository(uow.session).token_hashes(user_id)
    sessions_cache.sessions_ended(uow, token_hashes=hashes)
