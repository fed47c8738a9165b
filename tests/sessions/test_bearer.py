"""Bearer tokens on a real Redis: a validated session is cached, never past its own expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import delete, update

from app.platform.db.database import Database
from app.platform.db.models import LoginSession
from app.sessions import cache as sessions_cache
from app.sessions.hashing import hash_token
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.helpers import assert_error, data

pytestmark = pytest.mark.usefixtures("real_redis")


def session_key(settings: Settings, actor: Actor) -> str:
    assert actor.token is not None
    return sessions_cache.session_key(hash_token(settings=settings, token=actor.token))


async def set_expiry(database: Database, actor: Actor, expires_at: datetime) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            update(LoginSession)
            .where(LoginSession.user_id == actor.user_id)
            .values(expires_at=expires_at)
        )


async def test_a_validated_session_is_cached(
    client: httpx.AsyncClient, author: Actor, database: Database, redis: Redis, settings: Settings
) -> None:
    data(await client.get("/v1/users/me", headers=author.headers))
    assert await redis.ttl(session_key(settings, author)) > 0
    async with database.engine.begin() as connection:
        await connection.execute(delete(LoginSession).where(LoginSession.user_id == author.user_id))
    # Within the entry's TTL the principal comes from the cache, so the deleted row goes
    # unnoticed; the profile itself is still read from the database.
    assert data(await client.get("/v1/users/me", headers=author.headers))["id"] == str(
        author.user_id
    )


async def test_an_expired_cache_entry_is_not_trusted_past_the_session(
    client: httpx.AsyncClient, author: Actor, database: Database, redis: Redis, settings: Settings
) -> None:
    data(await client.get("/v1/users/me", headers=author.headers))
    key = session_key(settings, author)
    cached = await redis.get(key)
    assert isinstance(cached, bytes)
    principal, _ = sessions_cache.decode(cached)
    assert principal.user_id == author.user_id
    ended = datetime.now(UTC) - timedelta(seconds=1)
    await set_expiry(database, author, ended)
    # An entry that Redis would still keep for an hour, but for a session that has ended.
    await redis.set(key, sessions_cache.encode(principal, ended), ex=3600)
    assert_error(await client.get("/v1/users/me", headers=author.headers), 401, "UNAUTHENTICATED")


async def test_a_session_about_to_end_is_cached_no_longer_than_it_lives(
    client: httpx.AsyncClient, author: Actor, database: Database, redis: Redis, settings: Settings
) -> None:
    assert settings.cache_session_ttl_seconds > 5
    await set_expiry(database, author, datetime.now(UTC) + timedelta(seconds=5))
    data(await client.get("/v1/users/me", headers=author.headers))
    assert 0 < await redis.pttl(session_key(settings, author)) <= 5000
