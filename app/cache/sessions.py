"""Validated sessions, cached briefly so that authenticated reads skip the database.

A cached session never outlives its absolute expiry. Logout, revocation, role changes and
password resets write a tombstone over the session's key (see invalidation.py), so the very
next request with that token goes to the database and answers 401.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.authz import Principal
from app.cache import keys
from app.cache.entry import TOMBSTONE
from app.core import errors
from app.core.state import AppState
from app.security import tokens
from app.sessions.hashing import hash_token


def _encode(principal: Principal, expires_at: datetime) -> bytes:
    fields = (principal.user_id, principal.role, principal.session_id, expires_at.isoformat())
    return "|".join(map(str, fields)).encode()


def _decode(raw: bytes) -> tuple[Principal, datetime]:
    user_id, role, session_id, expires_at = raw.decode().split("|")
    principal = Principal(user_id=uuid.UUID(user_id), role=role, session_id=uuid.UUID(session_id))
    return principal, datetime.fromisoformat(expires_at)


async def authenticate(*, state: AppState, token: str) -> Principal:
    if not tokens.looks_like_token(token):
        raise errors.Unauthenticated("The token is not valid.")
    token_hash = hash_token(settings=state.settings, token=token)
    key = keys.session(token_hash)
    store = state.cache.store
    raw = await store.get(key) if state.cache.enabled else TOMBSTONE
    now = datetime.now(UTC)
    if raw:
        principal, expires_at = _decode(raw)
        if expires_at > now:
            return principal
    # Here, not at the top: a cached session never loads the database layer (app/core/lazy.py).
    from app.sessions import service as sessions_service

    principal, expires_at = await state.database.transaction(
        lambda session: sessions_service.authenticate_hash(
            session=session, settings=state.settings, token_hash=token_hash
        )
    )
    ttl = min(state.settings.cache_session_ttl_seconds, int((expires_at - now).total_seconds()))
    if raw is None and ttl > 0:
        value = _encode(principal, expires_at)
        await store.add(key, value, milliseconds=ttl * 1000)
    return principal
