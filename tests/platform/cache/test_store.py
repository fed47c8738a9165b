"""Redis stopped, paused or restarted under a running app: requests keep succeeding."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from app.platform.cache.entry import TOMBSTONE
from app.posts import cache as posts_cache
from app.settings import Settings
from tests.fixtures.actors import PASSWORD, Actor, register
from tests.fixtures.services import RedisProcess
from tests.handlers.test_posts import create_post
from tests.helpers import assert_error, data, eventually


@pytest.fixture
def settings(settings: Settings, redis_process: RedisProcess) -> Settings:
    # Retry Redis on every call, so the test needs no wait for the breaker to close.
    return settings.model_copy(
        update={
            "redis_url": redis_process.url,
            "redis_timeout_seconds": 0.05,
            "redis_retry_after_seconds": 0.0,
        }
    )


@pytest.fixture
async def own_redis(redis_process: RedisProcess) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_process.url)
    yield client
    await client.aclose()


async def test_stopped_then_restarted(
    client: httpx.AsyncClient, author: Actor, redis_process: RedisProcess, own_redis: Redis
) -> None:
    post = await create_post(client, author, title="Kept", status="published")
    url = f"/v1/posts/{post['id']}"
    data(await client.get(url))
    redis_process.stop()

    assert data(await client.get(url))["title"] == "Kept"
    assert data(await client.get("/v1/posts"))[0]["id"] == post["id"]
    assert data(await client.get("/v1/categories")) == []
    assert data(await client.get("/v1/users/me", headers=author.headers))["id"]
    etag = (await client.get(url)).headers["ETag"]
    headers = {**author.headers, "If-Match": etag}
    assert data(await client.patch(url, json={"title": "Edited"}, headers=headers))
    # Registration and writes fail open; login fails closed.
    email = str((await register(client))["email"])
    response = await client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert response.headers["Retry-After"] == "1"
    reset = await client.post("/v1/password-resets", json={"email": email})
    assert_error(reset, 503, "SERVICE_UNAVAILABLE")

    redis_process.start()
    assert data(await client.get(url))["title"] == "Edited"
    # The edit's invalidation waited in the outbox and lands once Redis is back.
    key = posts_cache.by_id(uuid.UUID(post["id"]))
    await eventually(lambda: own_redis.get(key), until=lambda raw: raw == TOMBSTONE)
    data(await client.post("/v1/sessions", json={"email": email, "password": PASSWORD}), 201)
    fresh = await create_post(client, author, title="Cached again", status="published")
    data(await client.get(f"/v1/posts/{fresh['id']}"))
    assert await own_redis.get(posts_cache.by_id(uuid.UUID(fresh["id"])))


async def test_paused_redis_is_bypassed(
    client: httpx.AsyncClient, author: Actor, own_redis: Redis
) -> None:
    post = await create_post(client, author, title="Slow", status="published")
    url = f"/v1/posts/{post['id']}"
    # Every command of every client now waits past the app's 50 ms timeout.
    await own_redis.client_pause(2000, all=True)
    try:
        assert data(await client.get(url))["title"] == "Slow"
        assert data(await client.get("/v1/posts"))[0]["title"] == "Slow"
    finally:
        await own_redis.client_unpause()
    assert data(await client.get(url))["title"] == "Slow"


async def test_embedded_default_needs_no_server(settings: Settings) -> None:
    from asgi_lifespan import LifespanManager

    from app.main import create_app

    app = create_app(settings.model_copy(update={"redis_url": None}))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            first = await http.get("/v1/categories")
            again = await http.get(
                "/v1/categories", headers={"If-None-Match": first.headers["ETag"]}
            )
    assert data(first) == []
    assert again.status_code == 304
