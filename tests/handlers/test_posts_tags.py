"""A post's tags over HTTP: set by tagIds, shown as tags in their order on every read, kept
fresh in the cache when a tag changes, and the list filtered by a tag's slug."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.platform.db.database import Database
from app.platform.db.models import PostTag
from tests.fixtures.actors import Actor
from tests.handlers.test_posts import create_post
from tests.handlers.test_tags import create_tag
from tests.helpers import assert_error, data


def ref(tag: dict[str, Any]) -> dict[str, Any]:
    return {"id": tag["id"], "name": tag["name"], "slug": tag["slug"]}


async def tags_made(client: httpx.AsyncClient, editor: Actor, count: int) -> list[dict[str, Any]]:
    return [await create_tag(client, editor, name=f"Tag {n}") for n in range(count)]


async def link_count(database: Database) -> int:
    async with database.engine.connect() as connection:
        counted = await connection.scalar(select(func.count()).select_from(PostTag))
        return int(counted or 0)


async def patch(
    client: httpx.AsyncClient, actor: Actor, post: dict[str, Any], body: dict[str, Any]
) -> httpx.Response:
    current = await client.get(f"/v1/posts/{post['id']}", headers=actor.headers)
    headers = {**actor.headers, "If-Match": current.headers["ETag"]}
    return await client.patch(f"/v1/posts/{post['id']}", json=body, headers=headers)


class TestTagIdsOnCreate:
    async def test_an_unknown_tag_is_not_found_and_nothing_is_written(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor, database: Database
    ) -> None:
        tag = await create_tag(client, editor)
        body = {"title": "T", "tagIds": [tag["id"], str(uuid.uuid4())]}
        response = await client.post("/v1/posts", json=body, headers=author.headers)
        error = assert_error(response, 404, "NOT_FOUND")
        assert error["message"] == "Tag not found."
        assert error["details"] == [
            {"location": "body.tagIds", "message": "No such tag.", "type": "not_found"}
        ]
        assert data(await client.get("/v1/posts", headers=author.headers)) == []
        assert await link_count(database) == 0

    async def test_eleven_tags_are_refused(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        tags = await tags_made(client, editor, 11)
        body = {"title": "T", "tagIds": [t["id"] for t in tags]}
        response = await client.post("/v1/posts", json=body, headers=author.headers)
        assert_error(response, 422, "VALIDATION_ERROR")
        assert data(await client.get("/v1/posts", headers=author.headers)) == []

    async def test_a_repeated_tag_is_refused(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor, database: Database
    ) -> None:
        tag = await create_tag(client, editor)
        body = {"title": "T", "tagIds": [tag["id"], tag["id"]]}
        response = await client.post("/v1/posts", json=body, headers=author.headers)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert [d["location"] for d in error["details"]] == ["body.tagIds"]
        assert data(await client.get("/v1/posts", headers=author.headers)) == []
        assert await link_count(database) == 0

    @pytest.mark.parametrize("tag_ids", [None, ["not-a-uuid"], "one"])
    async def test_malformed_tag_ids_are_refused(
        self, client: httpx.AsyncClient, author: Actor, tag_ids: Any
    ) -> None:
        body = {"title": "T", "tagIds": tag_ids}
        response = await client.post("/v1/posts", json=body, headers=author.headers)
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_ten_tags_in_the_order_given_on_every_read(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        tags = await tags_made(client, editor, 10)
        order = [tags[i] for i in (3, 0, 9, 1, 2, 8, 4, 7, 5, 6)]
        post = await create_post(
            client, author, status="published", tagIds=[t["id"] for t in order]
        )
        expected = [ref(t) for t in order]
        assert post["tags"] == expected
        assert data(await client.get(f"/v1/posts/{post['id']}"))["tags"] == expected
        by_slug = await client.get(f"/v1/posts/by-slug/{post['slug']}")
        assert data(by_slug)["tags"] == expected
        assert [p["tags"] for p in data(await client.get("/v1/posts"))] == [expected]

    async def test_without_tag_ids_a_post_has_none(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        assert (await create_post(client, author))["tags"] == []


class TestTagIdsOnUpdate:
    async def test_an_unknown_tag_is_not_found_and_nothing_changes(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        tag = await create_tag(client, editor)
        post = await create_post(client, author, tagIds=[tag["id"]])
        body = {"title": "Changed", "tagIds": [str(uuid.uuid4())]}
        error = assert_error(await patch(client, author, post, body), 404, "NOT_FOUND")
        assert error["details"][0]["location"] == "body.tagIds"
        after = data(await client.get(f"/v1/posts/{post['id']}", headers=author.headers))
        assert after == post

    async def test_a_repeated_tag_is_refused(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        tag = await create_tag(client, editor)
        post = await create_post(client, author)
        response = await patch(client, author, post, {"tagIds": [tag["id"], tag["id"]]})
        assert_error(response, 422, "VALIDATION_ERROR")
        after = data(await client.get(f"/v1/posts/{post['id']}", headers=author.headers))
        assert after["tags"] == []

    async def test_tag_ids_replace_and_count_as_a_change(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        a, b, c = await tags_made(client, editor, 3)
        post = await create_post(client, author, tagIds=[a["id"], b["id"]])
        before = await client.get(f"/v1/posts/{post['id']}", headers=author.headers)
        response = await client.patch(
            f"/v1/posts/{post['id']}",
            json={"tagIds": [c["id"], a["id"]]},
            headers={**author.headers, "If-Match": before.headers["ETag"]},
        )
        updated = data(response)
        assert updated["tags"] == [ref(c), ref(a)]
        assert updated["updatedAt"] > post["updatedAt"]
        assert response.headers["ETag"] != before.headers["ETag"]
        # The old ETag no longer matches: the tags change was a change of the post.
        stale = await client.patch(
            f"/v1/posts/{post['id']}",
            json={"title": "Late"},
            headers={**author.headers, "If-Match": before.headers["ETag"]},
        )
        assert_error(stale, 412, "PRECONDITION_FAILED")
        read = data(await client.get(f"/v1/posts/{post['id']}", headers=author.headers))
        assert read["tags"] == [ref(c), ref(a)]

    async def test_without_tag_ids_the_tags_stay_and_empty_clears(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor, database: Database
    ) -> None:
        a, b = await tags_made(client, editor, 2)
        post = await create_post(client, author, tagIds=[a["id"], b["id"]])
        kept = data(await patch(client, author, post, {"title": "Renamed"}))
        assert kept["tags"] == [ref(a), ref(b)]
        cleared = data(await patch(client, author, post, {"tagIds": []}))
        assert cleared["tags"] == []
        assert await link_count(database) == 0


class TestTagChangesReachCachedPosts:
    pytestmark = pytest.mark.usefixtures("real_redis")

    async def test_a_deleted_tag_leaves_every_post_and_its_cached_reads(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor, database: Database
    ) -> None:
        gone, kept = await tags_made(client, editor, 2)
        post = await create_post(
            client, author, status="published", tagIds=[gone["id"], kept["id"]]
        )
        other = await create_post(client, author, title="Other", tagIds=[gone["id"]])
        url, by_slug = f"/v1/posts/{post['id']}", f"/v1/posts/by-slug/{post['slug']}"
        cached = await client.get(url)
        assert data(cached)["tags"] == [ref(gone), ref(kept)]
        assert data(await client.get(by_slug))["tags"] == [ref(gone), ref(kept)]
        assert len(data(await client.get("/v1/posts"))) == 1

        response = await client.delete(f"/v1/tags/{gone['id']}", headers=editor.headers)
        assert response.status_code == 204

        after = await client.get(url)
        assert data(after)["tags"] == [ref(kept)]
        assert after.headers["ETag"] != cached.headers["ETag"]
        assert data(await client.get(by_slug))["tags"] == [ref(kept)]
        assert [p["tags"] for p in data(await client.get("/v1/posts"))] == [[ref(kept)]]
        draft = data(await client.get(f"/v1/posts/{other['id']}", headers=author.headers))
        assert draft["tags"] == []
        assert await link_count(database) == 1
        # Nobody edited the posts: only what they show changed.
        assert data(after)["updatedAt"] == post["updatedAt"]

    async def test_a_renamed_tag_shows_on_the_next_read(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        tag = await create_tag(client, editor, slug="old")
        post = await create_post(client, author, status="published", tagIds=[tag["id"]])
        url = f"/v1/posts/{post['id']}"
        cached = await client.get(url)
        assert data(cached)["tags"] == [ref(tag)]
        assert len(data(await client.get("/v1/posts?tag=old"))) == 1

        renamed = data(
            await client.patch(
                f"/v1/tags/{tag['id']}",
                json={"name": "New name", "slug": "new"},
                headers=editor.headers,
            )
        )

        after = await client.get(url)
        assert data(after)["tags"] == [ref(renamed)]
        assert after.headers["ETag"] != cached.headers["ETag"]
        not_modified = await client.get(url, headers={"If-None-Match": cached.headers["ETag"]})
        assert not_modified.status_code == 200
        assert [p["tags"] for p in data(await client.get("/v1/posts"))] == [[ref(renamed)]]
        assert data(await client.get("/v1/posts?tag=old")) == []
        assert [p["id"] for p in data(await client.get("/v1/posts?tag=new"))] == [post["id"]]


class TestListByTag:
    async def test_an_unknown_tag_lists_nothing(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        await create_post(client, author, status="published")
        assert data(await client.get("/v1/posts?tag=nothing-here")) == []

    @pytest.mark.parametrize("tag", ["Not A Slug", "", "s" * 121])
    async def test_a_malformed_tag_is_refused(self, client: httpx.AsyncClient, tag: str) -> None:
        response = await client.get("/v1/posts", params={"tag": tag})
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_combined_with_the_other_filters(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor, editor: Actor
    ) -> None:
        tag, other_tag = await tags_made(client, editor, 2)
        category = data(
            await client.post("/v1/categories", json={"name": "Cat"}, headers=editor.headers), 201
        )
        both = await create_post(
            client,
            author,
            title="Tagged in category",
            status="published",
            categoryId=category["id"],
            tagIds=[other_tag["id"], tag["id"]],
        )
        await create_post(client, author, title="Tagged", status="published", tagIds=[tag["id"]])
        await create_post(
            client, author, title="Untagged", status="published", categoryId=category["id"]
        )
        others = await create_post(
            client, other_author, title="Someone else's", status="published", tagIds=[tag["id"]]
        )
        await create_post(client, author, title="Draft", tagIds=[tag["id"]])

        def titles(response: httpx.Response) -> list[str]:
            return [p["title"] for p in data(response)]

        slug = tag["slug"]
        assert titles(await client.get(f"/v1/posts?tag={slug}")) == [
            "Someone else's",
            "Tagged",
            "Tagged in category",
        ]
        in_category = await client.get(f"/v1/posts?tag={slug}&categoryId={category['id']}")
        assert titles(in_category) == ["Tagged in category"]
        by_author = await client.get(f"/v1/posts?tag={slug}&authorId={others['authorId']}")
        assert titles(by_author) == ["Someone else's"]
        own = await client.get(f"/v1/posts?tag={slug}&status=draft", headers=author.headers)
        assert titles(own) == ["Draft"]
        assert titles(await client.get(f"/v1/posts?tag={slug}&q=category")) == [both["title"]]

    async def test_pages_through_the_tagged_posts_only(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        tag = await create_tag(client, editor)
        tagged = []
        for n in range(5):
            tagged.append(
                await create_post(
                    client, author, title=f"In {n}", status="published", tagIds=[tag["id"]]
                )
            )
            await create_post(client, author, title=f"Out {n}", status="published")
        seen: list[str] = []
        cursor: str | None = None
        while True:
            params = {"tag": tag["slug"], "limit": "2", **({"cursor": cursor} if cursor else {})}
            response = await client.get("/v1/posts", params=params)
            seen += [p["id"] for p in data(response)]
            cursor = response.json()["meta"]["nextCursor"]
            if cursor is None:
                break
        assert seen == [p["id"] for p in reversed(tagged)]

    async def test_a_cursor_is_bound_to_its_tag(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        a, b = await tags_made(client, editor, 2)
        for _ in range(3):
            await create_post(
                client, author, status="published", title="Both", tagIds=[a["id"], b["id"]]
            )
        first = await client.get("/v1/posts", params={"tag": a["slug"], "limit": "1"})
        cursor = first.json()["meta"]["nextCursor"]
        assert cursor
        again = await client.get(
            "/v1/posts", params={"tag": a["slug"], "limit": "1", "cursor": cursor}
        )
        assert len(data(again)) == 1
        for params in ({"tag": b["slug"]}, {}):
            response = await client.get(
                "/v1/posts", params={**params, "limit": "1", "cursor": cursor}
            )
            assert_error(response, 400, "INVALID_CURSOR")
