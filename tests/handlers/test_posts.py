from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.platform.db.database import Database
from app.platform.db.models import Post
from app.posts import service as posts_service
from tests.fixtures.actors import ANONYMOUS, Actor, make_actor
from tests.fixtures.checkpoints import Rendezvous
from tests.helpers import assert_error, data


async def create_post(client: httpx.AsyncClient, actor: Actor, **fields: Any) -> dict[str, Any]:
    body = {"title": "Hello world", **fields}
    created: dict[str, Any] = data(
        await client.post("/v1/posts", json=body, headers=actor.headers), 201
    )
    return created


class TestCreatePost:
    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.post("/v1/posts", json={"title": "x"}), 401, "UNAUTHENTICATED")

    @pytest.mark.parametrize(
        "extra",
        [
            {"authorId": str(uuid.uuid4())},
            {"publishedAt": "2020-01-01T00:00:00Z"},
            {"createdAt": "2020-01-01T00:00:00Z"},
            {"id": str(uuid.uuid4())},
            {"viewCount": 5},
        ],
    )
    async def test_server_owned_fields_are_refused(
        self, client: httpx.AsyncClient, author: Actor, extra: dict[str, Any]
    ) -> None:
        response = await client.post(
            "/v1/posts", json={"title": "T", **extra}, headers=author.headers
        )
        assert_error(response, 422, "VALIDATION_ERROR")

    @pytest.mark.parametrize(
        "body",
        [
            {"title": ""},
            {"title": "   "},
            {"title": "t" * 201},
            {"title": "nul\x00"},
            {"title": "ok", "body": "b" * 100_001},
            {"title": "ok", "body": "nul\x00"},
            {"title": "ok", "status": "deleted"},
            {"title": "ok", "categoryId": "not-a-uuid"},
            {"title": "ok", "slug": "UPPER"},
            {"title": 5},
        ],
    )
    async def test_invalid(
        self, client: httpx.AsyncClient, author: Actor, body: dict[str, Any]
    ) -> None:
        response = await client.post("/v1/posts", json=body, headers=author.headers)
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_limits_are_inclusive(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await create_post(client, author, title="t" * 200, body="b" * 100_000)
        assert len(post["title"]) == 200

    async def test_unknown_category(self, client: httpx.AsyncClient, author: Actor) -> None:
        response = await client.post(
            "/v1/posts",
            json={"title": "T", "categoryId": str(uuid.uuid4())},
            headers=author.headers,
        )
        error = assert_error(response, 404, "NOT_FOUND")
        assert error["details"][0]["location"] == "body.categoryId"

    async def test_explicit_slug_taken(self, client: httpx.AsyncClient, author: Actor) -> None:
        await create_post(client, author, slug="taken")
        response = await client.post(
            "/v1/posts", json={"title": "T", "slug": "taken"}, headers=author.headers
        )
        assert_error(response, 409, "CONFLICT")

    async def test_another_authors_draft_slug_answers_as_a_free_one(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        await create_post(client, other_author, title="Secret plans", slug="held")

        async def attempt(slug: str, title: str) -> tuple[int, str, list[str]]:
            response = await client.post(
                "/v1/posts", json={"title": title, "slug": slug}, headers=author.headers
            )
            return response.status_code, response.json()["data"]["slug"], sorted(response.headers)

        held, free = await attempt("held", "A"), await attempt("free", "B")
        assert (held[0], held[2]) == (free[0], free[2]) == (201, free[2])
        assert (held[1], free[1]) == ("held", "free")
        assert (await create_post(client, author, title="Secret plans"))["slug"] == "secret-plans"

    async def test_derived_slugs_stay_unique(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        first = await create_post(client, author, title="Same Title")
        second = await create_post(client, author, title="Same Title")
        assert first["slug"] == "same-title"
        assert second["slug"].startswith("same-title-")

    async def test_creates_a_draft_by_default(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        response = await client.post("/v1/posts", json={"title": "Draft"}, headers=author.headers)
        post = data(response, 201)
        assert (post["status"], post["publishedAt"], post["authorId"]) == (
            "draft",
            None,
            str(author.user_id),
        )
        assert response.headers["Location"] == f"/v1/posts/{post['id']}"
        read = await client.get(response.headers["Location"], headers=author.headers)
        assert data(read) == post
        assert read.headers["ETag"] == response.headers["ETag"]

    async def test_publishing_sets_published_at(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await create_post(client, author, status="published")
        assert post["publishedAt"] is not None


class TestReadPost:
    async def test_malformed_id(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/v1/posts/123"), 422, "VALIDATION_ERROR")

    async def test_unknown(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get(f"/v1/posts/{uuid.uuid4()}"), 404, "NOT_FOUND")

    @pytest.mark.parametrize("caller", ["anonymous", "author"], indirect=True)
    async def test_someone_elses_draft_does_not_exist(
        self, client: httpx.AsyncClient, other_author: Actor, caller: Actor
    ) -> None:
        draft = await create_post(client, other_author)
        by_id = await client.get(f"/v1/posts/{draft['id']}", headers=caller.headers)
        assert_error(by_id, 404, "NOT_FOUND")
        by_slug = await client.get(f"/v1/posts/by-slug/{draft['slug']}", headers=caller.headers)
        assert_error(by_slug, 404, "NOT_FOUND")

    @pytest.mark.parametrize("caller", ["anonymous", "editor"], indirect=True)
    async def test_a_slug_names_the_published_post_or_else_the_callers_own(
        self,
        client: httpx.AsyncClient,
        database: Database,
        author: Actor,
        other_author: Actor,
        caller: Actor,
    ) -> None:
        mine = await create_post(client, author, slug="shared")
        theirs = await create_post(client, other_author, slug="shared")

        async def by_slug(actor: Actor) -> httpx.Response:
            return await client.get("/v1/posts/by-slug/shared", headers=actor.headers)

        assert data(await by_slug(author))["id"] == mine["id"]
        assert data(await by_slug(other_author))["id"] == theirs["id"]
        assert_error(await by_slug(caller), 404, "NOT_FOUND")

        third = await make_actor(client, database)
        published = await create_post(client, third, slug="shared", status="published")
        for actor in (author, other_author, caller):
            assert data(await by_slug(actor))["id"] == published["id"]

    @pytest.mark.parametrize("caller", ["editor", "admin"], indirect=True)
    async def test_staff_read_drafts(
        self, client: httpx.AsyncClient, author: Actor, caller: Actor
    ) -> None:
        draft = await create_post(client, author)
        read = data(await client.get(f"/v1/posts/{draft['id']}", headers=caller.headers))
        assert read == draft

    async def test_published_is_public(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await create_post(client, author, status="published")
        response = await client.get(f"/v1/posts/by-slug/{post['slug']}")
        assert data(response) == post
        by_id = await client.get(f"/v1/posts/{post['id']}")
        assert response.headers["ETag"] == by_id.headers["ETag"]

    async def test_invalid_token_is_not_anonymous(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await create_post(client, author, status="published")
        response = await client.get(
            f"/v1/posts/{post['id']}", headers={"Authorization": "Bearer " + "x" * 43}
        )
        assert_error(response, 401, "UNAUTHENTICATED")


class TestUpdatePost:
    async def test_missing_if_match(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await create_post(client, author)
        response = await client.patch(
            f"/v1/posts/{post['id']}", json={"title": "New"}, headers=author.headers
        )
        assert_error(response, 428, "PRECONDITION_REQUIRED")

    async def test_stale_if_match(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await create_post(client, author)
        headers = {**author.headers, "If-Match": '"stale"'}
        response = await client.patch(
            f"/v1/posts/{post['id']}", json={"title": "New"}, headers=headers
        )
        assert_error(response, 412, "PRECONDITION_FAILED")
        unchanged = data(await client.get(f"/v1/posts/{post['id']}", headers=author.headers))
        assert unchanged["title"] == post["title"]

    async def test_etag_from_another_post_does_not_match(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        first = await create_post(client, author)
        second = await client.post("/v1/posts", json={"title": "Two"}, headers=author.headers)
        headers = {**author.headers, "If-Match": second.headers["ETag"]}
        response = await client.patch(
            f"/v1/posts/{first['id']}", json={"title": "X"}, headers=headers
        )
        assert_error(response, 412, "PRECONDITION_FAILED")

    async def test_update_and_publish(self, client: httpx.AsyncClient, author: Actor) -> None:
        created = await client.post("/v1/posts", json={"title": "Draft"}, headers=author.headers)
        post_id, etag = created.json()["data"]["id"], created.headers["ETag"]
        response = await client.patch(
            f"/v1/posts/{post_id}",
            json={"title": "Final", "status": "published", "categoryId": None},
            headers={**author.headers, "If-Match": etag},
        )
        post = data(response)
        assert (post["title"], post["status"]) == ("Final", "published")
        assert post["publishedAt"] is not None
        assert response.headers["ETag"] != etag

    async def test_other_author_cannot_edit_a_published_post(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        created = await client.post(
            "/v1/posts", json={"title": "Mine", "status": "published"}, headers=author.headers
        )
        headers = {**other_author.headers, "If-Match": created.headers["ETag"]}
        response = await client.patch(
            f"/v1/posts/{created.json()['data']['id']}", json={"title": "Theirs"}, headers=headers
        )
        assert_error(response, 403, "FORBIDDEN")

    async def test_editor_edits_any_post(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        created = await client.post("/v1/posts", json={"title": "Mine"}, headers=author.headers)
        headers = {**editor.headers, "If-Match": created.headers["ETag"]}
        response = await client.patch(
            f"/v1/posts/{created.json()['data']['id']}",
            json={"status": "published"},
            headers=headers,
        )
        assert data(response)["status"] == "published"

    async def test_concurrent_updates_with_one_etag(
        self,
        client: httpx.AsyncClient,
        author: Actor,
        database: Database,
        rendezvous: Rendezvous,
    ) -> None:
        """Every writer has checked the ETag before any writes: the database must refuse all but
        one, and their reruns find the ETag stale."""
        writers = 3
        created = await client.post("/v1/posts", json={"title": "Race"}, headers=author.headers)
        post_id, etag = created.json()["data"]["id"], created.headers["ETag"]
        before = await post_version(database, post_id)
        headers = {**author.headers, "If-Match": etag}
        rendezvous.arm(posts_service.UPDATING, writers)
        responses = await asyncio.gather(
            *(
                client.patch(f"/v1/posts/{post_id}", json={"title": f"Writer {i}"}, headers=headers)
                for i in range(writers)
            )
        )
        assert rendezvous.held[posts_service.UPDATING] == writers
        winners = [r for r in responses if r.status_code == 200]
        assert len(winners) == 1, [r.status_code for r in responses]
        for loser in (r for r in responses if r is not winners[0]):
            assert_error(loser, 412, "PRECONDITION_FAILED")
        assert await post_version(database, post_id) == before + 1
        final = await client.get(f"/v1/posts/{post_id}", headers=author.headers)
        assert data(final)["title"] == winners[0].json()["data"]["title"]
        assert final.headers["ETag"] == winners[0].headers["ETag"]


async def post_version(database: Database, post_id: str) -> int:
    async with database.sessionmaker() as session:
        version = await session.scalar(select(Post.version).where(Post.id == uuid.UUID(post_id)))
    assert version is not None
    return version


class TestDeletePost:
    async def test_someone_elses_draft(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        draft = await create_post(client, author)
        response = await client.delete(f"/v1/posts/{draft['id']}", headers=other_author.headers)
        assert_error(response, 404, "NOT_FOUND")
        assert (
            await client.get(f"/v1/posts/{draft['id']}", headers=author.headers)
        ).status_code == 200

    async def test_deletes(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await create_post(client, author)
        assert (
            await client.delete(f"/v1/posts/{post['id']}", headers=author.headers)
        ).status_code == 204
        gone = await client.get(f"/v1/posts/{post['id']}", headers=author.headers)
        assert_error(gone, 404, "NOT_FOUND")


class TestListPosts:
    @pytest.mark.parametrize("limit", ["0", "101", str(2**63), "-1", "abc"])
    async def test_limit_out_of_range(self, client: httpx.AsyncClient, limit: str) -> None:
        assert_error(
            await client.get("/v1/posts", params={"limit": limit}), 422, "VALIDATION_ERROR"
        )

    async def test_empty(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/posts")
        assert data(response) == []
        assert response.json()["meta"] == {"nextCursor": None, "limit": 20}

    async def test_pages_newest_first_to_the_last_page(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        ids = [(await create_post(client, author, status="published"))["id"] for _ in range(5)]
        seen: list[str] = []
        cursor = None
        for expected_size in (2, 2, 1):
            params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
            response = await client.get("/v1/posts", params=params)
            page = data(response)
            assert len(page) == expected_size
            seen += [p["id"] for p in page]
            cursor = response.json()["meta"]["nextCursor"]
        assert cursor is None
        assert seen == list(reversed(ids))

    async def test_exact_multiple_ends_without_cursor(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        for _ in range(2):
            await create_post(client, author, status="published")
        response = await client.get("/v1/posts", params={"limit": "2"})
        assert len(data(response)) == 2
        assert response.json()["meta"]["nextCursor"] is None

    async def test_tampered_cursor(self, client: httpx.AsyncClient, author: Actor) -> None:
        for _ in range(3):
            await create_post(client, author, status="published")
        cursor = (await client.get("/v1/posts", params={"limit": "1"})).json()["meta"]["nextCursor"]
        payload, signature = cursor.split(".")
        flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
        for bad in (f"{flipped}.{signature}", payload, "garbage", f"{payload}.AAAA"):
            response = await client.get("/v1/posts", params={"cursor": bad})
            assert_error(response, 400, "INVALID_CURSOR")

    async def test_cursor_bound_to_filters(self, client: httpx.AsyncClient, author: Actor) -> None:
        for _ in range(3):
            await create_post(client, author, status="published")
        cursor = (await client.get("/v1/posts", params={"limit": "1"})).json()["meta"]["nextCursor"]
        response = await client.get("/v1/posts", params={"cursor": cursor, "q": "Hello"})
        assert_error(response, 400, "INVALID_CURSOR")

    async def test_visibility_per_caller(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor, editor: Actor
    ) -> None:
        published = await create_post(client, author, status="published")
        mine = await create_post(client, author)
        theirs = await create_post(client, other_author)

        async def ids(actor: Actor) -> set[str]:
            return {p["id"] for p in data(await client.get("/v1/posts", headers=actor.headers))}

        assert await ids(ANONYMOUS) == {published["id"]}
        assert await ids(author) == {published["id"], mine["id"]}
        assert await ids(editor) == {published["id"], mine["id"], theirs["id"]}
        drafts = await client.get("/v1/posts", params={"status": "draft"}, headers=author.headers)
        assert {p["id"] for p in data(drafts)} == {mine["id"]}

    async def test_filters(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor, editor: Actor
    ) -> None:
        category = data(
            await client.post("/v1/categories", json={"name": "Tech"}, headers=editor.headers), 201
        )
        in_category = await create_post(
            client, author, title="100% Python_tips", status="published", categoryId=category["id"]
        )
        await create_post(client, other_author, title="Cooking", status="published")

        async def ids(**params: str) -> list[str]:
            return [p["id"] for p in data(await client.get("/v1/posts", params=params))]

        assert await ids(categoryId=category["id"]) == [in_category["id"]]
        assert await ids(authorId=str(author.user_id)) == [in_category["id"]]
        assert await ids(q="python") == [in_category["id"]]
        assert await ids(q="%") == [in_category["id"]]
        assert await ids(q="Python%tips") == []
        assert await ids(q="Python_tips") == [in_category["id"]]
        assert await ids(q="n%t") == []
