"""The posts' cache on a real Redis: hits, what each write makes stale, drafts and pages apart."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from app.errors import NotFound
from app.platform.cache.entry import Entry
from app.platform.cache.reads import Cache
from app.platform.cache.store import Store, connect
from app.platform.cache.tracking import open_tracking
from app.platform.db.database import Database
from app.posts import cache as posts_cache
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.fixtures.domains import Callers, add_user
from tests.handlers.test_posts import create_post
from tests.helpers import assert_error, data, eventually

pytestmark = pytest.mark.usefixtures("real_redis")


async def set_title_behind_the_api(database: Database, post_id: str, title: str) -> None:
    """Change the row without any write path, so only a cached read still shows the old title."""
    async with database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE posts SET title = :title WHERE id = :id"),
            {"title": title, "id": uuid.UUID(post_id)},
        )


async def published(client: httpx.AsyncClient, actor: Actor, **fields: Any) -> dict[str, Any]:
    return await create_post(client, actor, status="published", **fields)


class TestPostDetail:
    async def test_miss_then_hit(
        self, client: httpx.AsyncClient, author: Actor, database: Database, redis: Redis
    ) -> None:
        post = await published(client, author, title="First")
        key = posts_cache.by_id(uuid.UUID(post["id"]))
        assert await redis.get(key) is None
        assert data(await client.get(f"/v1/posts/{post['id']}"))["title"] == "First"
        assert await redis.get(key)
        await set_title_behind_the_api(database, post["id"], "Changed behind the API")
        assert data(await client.get(f"/v1/posts/{post['id']}"))["title"] == "First"

    async def test_by_slug_is_cached_too(
        self, client: httpx.AsyncClient, author: Actor, database: Database
    ) -> None:
        post = await published(client, author, title="Slugged")
        assert data(await client.get(f"/v1/posts/by-slug/{post['slug']}"))["id"] == post["id"]
        await set_title_behind_the_api(database, post["id"], "Changed")
        assert data(await client.get(f"/v1/posts/by-slug/{post['slug']}"))["title"] == "Slugged"

    async def test_draft_is_never_cached_nor_shown_to_others(
        self,
        client: httpx.AsyncClient,
        author: Actor,
        other_author: Actor,
        editor: Actor,
        redis: Redis,
    ) -> None:
        draft = await create_post(client, author, title="Secret")
        url = f"/v1/posts/{draft['id']}"
        assert data(await client.get(url, headers=author.headers))["title"] == "Secret"
        assert await redis.get(posts_cache.by_id(uuid.UUID(draft["id"]))) is None
        assert_error(await client.get(url), 404, "NOT_FOUND")
        assert_error(await client.get(url, headers=other_author.headers), 404, "NOT_FOUND")
        assert data(await client.get(url, headers=editor.headers))["title"] == "Secret"
        by_slug = f"/v1/posts/by-slug/{draft['slug']}"
        assert_error(await client.get(by_slug), 404, "NOT_FOUND")

    async def test_edit_is_visible_at_once(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await published(client, author, title="Before")
        url = f"/v1/posts/{post['id']}"
        etag = (await client.get(url)).headers["ETag"]
        response = await client.patch(
            url, json={"title": "After"}, headers={**author.headers, "If-Match": etag}
        )
        data(response)
        assert data(await client.get(url))["title"] == "After"
        assert data(await client.get(f"/v1/posts/by-slug/{post['slug']}"))["title"] == "After"

    async def test_unpublishing_hides_the_cached_post(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await published(client, author)
        url = f"/v1/posts/{post['id']}"
        etag = (await client.get(url)).headers["ETag"]
        headers = {**author.headers, "If-Match": etag}
        data(await client.patch(url, json={"status": "draft"}, headers=headers))
        assert_error(await client.get(url), 404, "NOT_FOUND")

    async def test_publishing_shows_the_post(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        draft = await create_post(client, author)
        url = f"/v1/posts/{draft['id']}"
        assert_error(await client.get(url), 404, "NOT_FOUND")
        etag = (await client.get(url, headers=author.headers)).headers["ETag"]
        headers = {**author.headers, "If-Match": etag}
        data(await client.patch(url, json={"status": "published"}, headers=headers))
        assert data(await client.get(url))["status"] == "published"

    async def test_slug_change_frees_the_old_slug(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await published(client, author, slug="old-slug")
        url = f"/v1/posts/{post['id']}"
        data(await client.get("/v1/posts/by-slug/old-slug"))
        etag = (await client.get(url)).headers["ETag"]
        headers = {**author.headers, "If-Match": etag}
        data(await client.patch(url, json={"slug": "new-slug"}, headers=headers))
        assert_error(await client.get("/v1/posts/by-slug/old-slug"), 404, "NOT_FOUND")
        assert data(await client.get("/v1/posts/by-slug/new-slug"))["id"] == post["id"]

    async def test_delete_is_visible_at_once(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await published(client, author)
        url = f"/v1/posts/{post['id']}"
        data(await client.get(url))
        assert (await client.delete(url, headers=author.headers)).status_code == 204
        assert_error(await client.get(url), 404, "NOT_FOUND")
        assert_error(await client.get(f"/v1/posts/by-slug/{post['slug']}"), 404, "NOT_FOUND")


class TestPostList:
    async def test_create_invalidates_every_page(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        await published(client, author, title="One")
        assert [p["title"] for p in data(await client.get("/v1/posts"))] == ["One"]
        assert len(data(await client.get("/v1/posts?limit=1"))) == 1
        await published(client, author, title="Two")
        assert [p["title"] for p in data(await client.get("/v1/posts"))] == ["Two", "One"]
        assert [p["title"] for p in data(await client.get("/v1/posts?limit=1"))] == ["Two"]

    async def test_edit_and_delete_invalidate(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await published(client, author, title="Listed")
        assert data(await client.get("/v1/posts"))[0]["title"] == "Listed"
        url = f"/v1/posts/{post['id']}"
        etag = (await client.get(url)).headers["ETag"]
        headers = {**author.headers, "If-Match": etag}
        data(await client.patch(url, json={"title": "Renamed"}, headers=headers))
        assert data(await client.get("/v1/posts"))[0]["title"] == "Renamed"
        await client.delete(url, headers=author.headers)
        assert data(await client.get("/v1/posts")) == []

    async def test_pages_are_cached(
        self, client: httpx.AsyncClient, author: Actor, database: Database
    ) -> None:
        post = await published(client, author, title="Cached")
        data(await client.get("/v1/posts"))
        await set_title_behind_the_api(database, post["id"], "Behind")
        assert data(await client.get("/v1/posts"))[0]["title"] == "Cached"

    async def test_viewers_get_their_own_pages(
        self,
        client: httpx.AsyncClient,
        author: Actor,
        other_author: Actor,
        editor: Actor,
    ) -> None:
        await published(client, author, title="Public")
        await create_post(client, author, title="Draft")
        mine = {p["title"] for p in data(await client.get("/v1/posts", headers=author.headers))}
        assert mine == {"Public", "Draft"}
        for viewer in ({}, other_author.headers):
            seen = {p["title"] for p in data(await client.get("/v1/posts", headers=viewer))}
            assert seen == {"Public"}
        seen = {p["title"] for p in data(await client.get("/v1/posts", headers=editor.headers))}
        assert seen == {"Public", "Draft"}

    async def test_demoted_editor_stops_seeing_drafts_at_once(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor, admin: Actor
    ) -> None:
        await create_post(client, author, title="Draft")
        assert len(data(await client.get("/v1/posts", headers=editor.headers))) == 1
        response = await client.patch(
            f"/v1/users/{editor.user_id}/role", json={"role": "author"}, headers=admin.headers
        )
        data(response)
        assert data(await client.get("/v1/posts", headers=editor.headers)) == []


class TestEveryHitIsAuthorized:
    async def test_a_cached_draft_is_still_refused_to_others(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor, redis: Redis
    ) -> None:
        draft = await create_post(client, author, title="Planted")
        body = (await client.get(f"/v1/posts/{draft['id']}", headers=author.headers)).content
        planted = Entry(etag='"planted"', body=body, facts=(str(author.user_id), "draft"))
        for key in (posts_cache.by_id(uuid.UUID(draft["id"])), posts_cache.by_slug(draft["slug"])):
            await redis.set(key, planted.encode())
        for headers in ({}, other_author.headers):
            url = f"/v1/posts/{draft['id']}"
            assert_error(await client.get(url, headers=headers), 404, "NOT_FOUND")
            by_slug = f"/v1/posts/by-slug/{draft['slug']}"
            assert_error(await client.get(by_slug, headers=headers), 404, "NOT_FOUND")
        assert data(await client.get(f"/v1/posts/{draft['id']}", headers=author.headers))

    async def test_an_l1_hit_is_authorized_as_a_redis_hit_is(
        self, settings: Settings, database: Database, callers: Callers, redis: Redis
    ) -> None:
        owner, other = await add_user(database), await add_user(database)
        client = connect(settings)
        local = open_tracking(settings, client)
        assert local is not None
        cache = Cache(Store(client, retry_after_seconds=0.0, local=local), settings)
        key = posts_cache.by_id(uuid.uuid4())
        planted = Entry(etag='"planted"', body=b"{}", facts=(str(owner.id), "draft"))
        await redis.set(key, planted.encode())
        anonymous = callers.of("getPost")

        async def held_locally() -> bool:
            with pytest.raises(NotFound):
                await posts_cache.cached_read(cache=cache, caller=anonymous, key=key)
            return local.get(key) is not None

        try:
            await eventually(held_locally, until=bool)
            for caller in (anonymous, callers.of("getPost", other)):
                with pytest.raises(NotFound):
                    await posts_cache.cached_read(cache=cache, caller=caller, key=key)
                assert local.get(key) is not None  # refused from the L1, not for want of it
            served = await posts_cache.cached_read(
                cache=cache, caller=callers.of("getPost", owner), key=key
            )
            assert served == planted
        finally:
            await cache.store.close()

    async def test_signed_in_readers_share_the_published_entry(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor, database: Database
    ) -> None:
        post = await published(client, author, title="Shared")
        data(await client.get(f"/v1/posts/{post['id']}"))
        await set_title_behind_the_api(database, post["id"], "Behind")
        response = await client.get(f"/v1/posts/{post['id']}", headers=other_author.headers)
        assert data(response)["title"] == "Shared"
