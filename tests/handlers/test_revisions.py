"""Revisions over HTTP: listed and read by who may edit the post, 404 for anyone else exactly as
a missing post; restoring needs If-Match and answers the post with its new ETag."""

from __future__ import annotations

import uuid

import httpx

from tests.fixtures.actors import Actor
from tests.handlers.test_posts import create_post
from tests.helpers import assert_error, data


async def retitled(client: httpx.AsyncClient, actor: Actor) -> tuple[dict[str, object], str]:
    created = await client.post("/v1/posts", json={"title": "One"}, headers=actor.headers)
    post = data(created, 201)
    changed = await client.patch(
        f"/v1/posts/{post['id']}",
        json={"title": "Two"},
        headers={**actor.headers, "If-Match": created.headers["ETag"]},
    )
    assert data(changed)["title"] == "Two"
    return post, changed.headers["ETag"]


class TestListPostRevisions:
    async def test_anonymous(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await create_post(client, author, status="published")
        assert_error(await client.get(f"/v1/posts/{post['id']}/revisions"), 401, "UNAUTHENTICATED")

    async def test_someone_else_gets_what_a_missing_post_gets(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        post = await create_post(client, author, status="published")
        hidden = await client.get(f"/v1/posts/{post['id']}/revisions", headers=other_author.headers)
        missing = await client.get(
            f"/v1/posts/{uuid.uuid4()}/revisions", headers=other_author.headers
        )
        assert_error(hidden, 404, "NOT_FOUND")
        assert hidden.json()["error"] | {"traceId": ""} == missing.json()["error"] | {"traceId": ""}

    async def test_newest_first_in_pages(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        post, _ = await retitled(client, author)
        path = f"/v1/posts/{post['id']}/revisions"
        first = await client.get(f"{path}?limit=1", headers=editor.headers)
        cursor = first.json()["meta"]["nextCursor"]
        rest = data(await client.get(f"{path}?limit=1&cursor={cursor}", headers=editor.headers))
        (latest,) = data(first)
        assert (latest["number"], latest["changes"], latest["snapshot"]["title"]) == (
            2,
            ["title"],
            "Two",
        )
        assert [r["number"] for r in rest] == [1]


class TestGetPostRevision:
    async def test_a_revision_of_another_post_is_404(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post, other = (
            await create_post(client, author),
            await create_post(client, author, title="B"),
        )
        (of_other,) = data(
            await client.get(f"/v1/posts/{other['id']}/revisions", headers=author.headers)
        )
        response = await client.get(
            f"/v1/posts/{post['id']}/revisions/{of_other['id']}", headers=author.headers
        )
        assert assert_error(response, 404, "NOT_FOUND")["message"] == "Revision not found."


class TestRestorePostRevision:
    async def test_without_if_match_428_and_stale_412(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post, _ = await retitled(client, author)
        path = f"/v1/posts/{post['id']}/revisions"
        first = data(await client.get(path, headers=author.headers))[-1]
        restore = f"{path}/{first['id']}/restore"
        assert_error(
            await client.post(restore, headers=author.headers), 428, "PRECONDITION_REQUIRED"
        )
        stale = {**author.headers, "If-Match": '"stale"'}
        assert_error(await client.post(restore, headers=stale), 412, "PRECONDITION_FAILED")

    async def test_restores_and_answers_the_post_with_its_etag(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post, etag = await retitled(client, author)
        path = f"/v1/posts/{post['id']}/revisions"
        first = data(await client.get(path, headers=author.headers))[-1]
        restored = await client.post(
            f"{path}/{first['id']}/restore", headers={**author.headers, "If-Match": etag}
        )
        assert data(restored)["title"] == "One"
        read = await client.get(f"/v1/posts/{post['id']}", headers=author.headers)
        assert read.headers["ETag"] == restored.headers["ETag"]
        numbers = [r["number"] for r in data(await client.get(path, headers=author.headers))]
        assert numbers == [3, 2, 1]
