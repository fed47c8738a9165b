"""Cache-aside reads against a real Redis: a miss is loaded once, and a foreign lock is obeyed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import Engine, event

from app.platform.cache import keys, reads
from app.posts import cache as posts_cache
from tests.fixtures.actors import Actor
from tests.fixtures.checkpoints import Rendezvous
from tests.handlers.test_posts import create_post
from tests.helpers import data

pytestmark = pytest.mark.usefixtures("real_redis")


@pytest.fixture
def post_loads() -> Iterator[list[str]]:
    """Every SELECT on posts that any engine sends, to count database loads."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM posts" in statement:
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


async def test_concurrent_misses_load_once(
    client: httpx.AsyncClient, author: Actor, post_loads: list[str], rendezvous: Rendezvous
) -> None:
    """Every reader has missed before any loads: one of them loads, the others share it."""
    readers = 10
    post = await create_post(client, author, status="published")
    post_loads.clear()
    rendezvous.arm(reads.MISSED, readers)
    responses = await asyncio.gather(
        *(client.get(f"/v1/posts/{post['id']}") for _ in range(readers))
    )
    assert rendezvous.held[reads.MISSED] == readers
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert len(post_loads) == 1


async def test_a_miss_while_another_process_loads_does_not_refill(
    client: httpx.AsyncClient, author: Actor, redis: Redis
) -> None:
    post = await create_post(client, author, status="published", title="Locked")
    key = posts_cache.by_id(uuid.UUID(post["id"]))
    await redis.set(keys.lock(key), b"1", px=60_000)
    assert data(await client.get(f"/v1/posts/{post['id']}"))["title"] == "Locked"
    assert await redis.get(key) is None
    await redis.delete(keys.lock(key))
    data(await client.get(f"/v1/posts/{post['id']}"))
    assert await redis.get(key)
