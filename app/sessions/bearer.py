"""Bearer tokens to principals: from the session cache, else from the database.

A cached session never loads the database layer (app/http/lazy.py says why), so the service
is imported only on a miss.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app import errors
from app.platform.authz import Principal
from app.platform.cache.entry import TOMBSTONE
from app.platform.resources import Resources
from app.platform.security import tokens
from app.sessions import cache as sessions_cache
from app.sessions.hashing import hash_token


async def authenticate(*, resources: Resources, token: str) -> Principal:
    """The principal of a live session with this token; 401 otherwise."""
    if not tokens.looks_like_token(token):
        raise errors.Unauthenticated("The token is not valid.")
    settings, cache = resources.settings, resources.cache
    token_hash = hash_token(settings=settings, token=token)
    key = sessions_cache.session_key(token_hash)
    raw = await cache.store.get(key) if cache.enabled else TOMBSTONE
    now = datetime.now(UTC)
    if raw:
        principal, expires_at = sessions_cache.decode(raw)
        if expires_at > now:
            return principal
    from app.sessions import service as sessions_service

    principal, expires_at = await resources.database.transaction(
        lambda uow: sessions_service.authenticate_hash(
            uow=uow, settings=settings, token_hash=token_hash
        )
    )
    ttl = min(settings.cache_session_ttl_seconds, int((expires_at - now).total_seconds()))
    if raw is None and ttl > 0:
        await cache.store.add(
            key, sessions_cache.encode(principal, expires_at), milliseconds=ttl * 1000
        )
    return principal
