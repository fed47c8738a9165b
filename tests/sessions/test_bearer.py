"""Bearer tokens on a real Redis: a validated session is cached, never past its own expiry."""

from __future__ import annotations

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from app.platform.db.database import Database
from app.sessions import cache as sessions_cache
from app.sessions.hashing import hash_token
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.helpers import data

pytestmark = pytest.mark.usefixtures("real_redis")


def session_key(settings: Settings, actor: Actor) -> str:
    assert actor.token is not None
    return sessions_cache.session_key(hash_token(settings=settings, token=actor.token))


async def test_a_validated_session_is_cached(
    client: httpx.AsyncClient, author: Actor, database: Database, redis: Redis, settings: Settings
) -> None:
    data(await client.get("/v1/users/me", headers=author.headers))
    assert await redis.ttl(session_key(settings, author)) > 0
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE users SET display_name = 'Renamed'"))
    # The principal comes from the cache; the profile itself is still read from the database.
    assert data(await client.get("/v1/users/me", headers=author.headers))["displayName"] == (
        "Renamed"
    )


async def test_an_expired_cache_entry_is_not_trusted_past_the_session(
    client: httpx.AsyncClient, author: Actor, database: Database, redis: Redis, settings: Settings
) -> None:
    data(await client.get("/v1/users/me", headers=author.headers))
    ttl = await redis.ttl(session_key(settings, author))
    assert 0 < ttl <= settings.cache_session_ttl_seconds
