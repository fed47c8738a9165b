"""The trash over HTTP: DELETE hides a post from every read; the trash lists and restores it
for who may edit it, and answers anyone else as for a missing post."""

from __future__ import annotations

import uuid

import httpx

from tests.fixtures.actors import ANONYMOUS, Actor
from tests.handlers.test_posts import create_post
from tests.helpers import assert_error, data


async def trashed(client: httpx.AsyncClient, actor: Actor) -> dict[str, object]:
    post = await create_post(client, actor, status="published")
    deleted = await client.delete(f"/v1/posts/{post['id']}", headers=actor.headers)
    assert deleted.status_code == 204
    return post


class TestDelete:
    async def test_a_trashed_post_answers_as_a_missing_one_everywhere(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await trashed(client, author)
        path = f"/v1/posts/{post['id']}"
        missing = f"/v1/posts/{uuid.uuid4()}"
        for url in (path, f"/v1/posts/by-slug/{post['slug']}", f"{path}/revisions"):
            got = assert_error(await client.get(url, headers=author.headers), 404, "NOT_FOUND")
            assert got["message"] == "Post not found."
        assert_error(await client.get(f"{path}/attachments"), 404, "NOT_FOUND")
        assert_error(await client.post(f"{path}/views"), 404, "NOT_FOUND")
        assert_error(await client.delete(path, headers=author.headers), 404, "NOT_FOUND")
        listed = data(await client.get("/v1/posts", headers=author.headers))
        assert post["id"] not in [p["id"] for p in listed]
        gone, absent = await client.get(path), await client.get(missing)
        assert gone.json()["error"] | {"traceId": ""} == absent.json()["error"] | {"traceId": ""}


class TestListTrashedPosts:
    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/v1/trash/posts"), 401, "UNAUTHENTICATED")

    async def test_own_for_authors_all_for_editors(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor, editor: Actor
    ) -> None:
        mine, theirs = await trashed(client, author), await trashed(client, other_author)

        own = data(await client.get("/v1/trash/posts", headers=author.headers))
        every = data(await client.get("/v1/trash/posts", headers=editor.headers))

        assert [p["id"] for p in own] == [mine["id"]]
        assert [p["id"] for p in every] == [theirs["id"], mine["id"]]
        assert own[0]["deletedAt"] < own[0]["purgeAt"]

    async def test_an_altered_cursor_is_400(self, client: httpx.AsyncClient, author: Actor) -> None:
        response = await client.get("/v1/trash/posts?cursor=abc.def", headers=author.headers)
        assert_error(response, 400, "INVALID_CURSOR")


class TestRestorePost:
    async def test_anonymous(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await trashed(client, author)
        response = await client.post(f"/v1/posts/{post['id']}/restore", headers=ANONYMOUS.headers)
        assert_error(response, 401, "UNAUTHENTICATED")

    async def test_another_author_gets_not_found_as_for_a_missing_post(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        post = await trashed(client, author)
        live = await create_post(client, author, title="Alive", status="published")
        for path, actor in (
            (f"/v1/posts/{post['id']}/restore", other_author),
            (f"/v1/posts/{live['id']}/restore", other_author),
            (f"/v1/posts/{uuid.uuid4()}/restore", author),
        ):
            error = assert_error(await client.post(path, headers=actor.headers), 404, "NOT_FOUND")
            assert error["message"] == "Post not found."

    async def test_a_live_post_is_answered_as_it_is(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        live = await create_post(client, author, title="Alive", status="published")
        read = await client.get(f"/v1/posts/{live['id']}")
        again = await client.post(f"/v1/posts/{live['id']}/restore", headers=author.headers)
        assert data(again)["updatedAt"] == live["updatedAt"]
        assert again.headers["ETag"] == read.headers["ETag"]

    async def test_a_second_restore_answers_as_the_first(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await trashed(client, author)
        first = await client.post(f"/v1/posts/{post['id']}/restore", headers=author.headers)
        second = await client.post(f"/v1/posts/{post['id']}/restore", headers=author.headers)
        assert data(second) == data(first)
        assert second.headers["ETag"] == first.headers["ETag"]

    async def test_the_author_restores_it_with_its_etag(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await trashed(client, author)
        restored = await client.post(f"/v1/posts/{post['id']}/restore", headers=author.headers)
        body = data(restored)
        assert (body["id"], body["slug"], body["status"]) == (post["id"], post["slug"], "published")
        read = await client.get(f"/v1/posts/{post['id']}")
        assert read.headers["ETag"] == restored.headers["ETag"]
