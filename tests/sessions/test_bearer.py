"""The session cache against a real Redis: used while valid, forgotten the moment a session ends."""

from __future__ import annotations

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from app.platform.db.database import Database
from app.sessions import cache as sessions_cache
from app.sessions.hashing import hash_token
from app.settings import Settings
from tests.fixtures.actors import Actor, login
from tests.helpers import assert_error, data

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


async def test_logout_ends_the_cached_session_at_once(
    client: httpx.AsyncClient, author: Actor
) -> None:
    data(await client.get("/v1/users/me", headers=author.headers))
    assert (await client.delete("/v1/sessions/current", headers=author.headers)).status_code == 204
    assert_error(await client.get("/v1/users/me", headers=author.headers), 401, "UNAUTHENTICATED")


async def test_revocation_ends_the_cached_session_at_once(
    client: httpx.AsyncClient, author: Actor
) -> None:
    assert author.email is not None
    second = {"Authorization": f"Bearer {await login(client, author.email)}"}
    sessions = data(await client.get("/v1/sessions", headers=second))
    other = next(s for s in sessions if not s["current"])
    data(await client.get("/v1/users/me", headers=author.headers))
    response = await client.delete(f"/v1/sessions/{other['id']}", headers=second)
    assert response.status_code == 204
    assert_error(await client.get("/v1/users/me", headers=author.headers), 401, "UNAUTHENTICATED")
    data(await client.get("/v1/users/me", headers=second))


async def test_role_change_applies_to_the_next_request(
    client: httpx.AsyncClient, author: Actor, admin: Actor
) -> None:
    me = data(await client.get("/v1/users/me", headers=author.headers))
    assert me["role"] == "author"
    denied = await client.post("/v1/categories", json={"name": "N"}, headers=author.headers)
    assert_error(denied, 403, "FORBIDDEN")
    response = await client.patch(
        f"/v1/users/{author.user_id}/role", json={"role": "editor"}, headers=admin.headers
    )
    data(response)
    allowed = await client.post("/v1/categories", json={"name": "N"}, headers=author.headers)
    data(allowed, 201)


async def test_an_expired_cache_entry_is_not_trusted_past_the_session(
    client: httpx.AsyncClient, author: Actor, database: Database, redis: Redis, settings: Settings
) -> None:
    data(await client.get("/v1/users/me", headers=author.headers))
    ttl = await redis.ttl(session_key(settings, author))
    assert 0 < ttl <= settings.cache_session_ttl_seconds
