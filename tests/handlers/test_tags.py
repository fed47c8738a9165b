from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.fixtures.actors import Actor
from tests.helpers import assert_error, data


async def create_tag(client: httpx.AsyncClient, actor: Actor, **fields: str) -> dict[str, Any]:
    body = {"name": "Release notes", **fields}
    created: dict[str, Any] = data(
        await client.post("/v1/tags", json=body, headers=actor.headers), 201
    )
    return created


class TestCreateTag:
    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.post("/v1/tags", json={"name": "X"}), 401, "UNAUTHENTICATED")

    async def test_author_is_forbidden(self, client: httpx.AsyncClient, author: Actor) -> None:
        response = await client.post("/v1/tags", json={"name": "X"}, headers=author.headers)
        assert_error(response, 403, "FORBIDDEN")
        assert data(await client.get("/v1/tags")) == []

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"name": ""},
            {"name": "   "},
            {"name": "n" * 61},
            {"name": "nul\x00"},
            {"name": "ok", "slug": "Not A Slug"},
            {"name": "ok", "slug": "double--hyphen"},
            {"name": "ok", "slug": "s" * 121},
            {"name": "ok", "slug": None},
            {"name": "ok", "id": str(uuid.uuid4())},
            {"name": "ok", "description": "tags have none"},
        ],
    )
    async def test_invalid(
        self, client: httpx.AsyncClient, editor: Actor, body: dict[str, Any]
    ) -> None:
        response = await client.post("/v1/tags", json=body, headers=editor.headers)
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_a_taken_slug_is_a_conflict(
        self, client: httpx.AsyncClient, editor: Actor
    ) -> None:
        first = await create_tag(client, editor, slug="news")
        response = await client.post(
            "/v1/tags", json={"name": "Other", "slug": "news"}, headers=editor.headers
        )
        error = assert_error(response, 409, "CONFLICT")
        assert error["message"] == "A tag with this slug already exists."
        assert data(await client.get("/v1/tags")) == [first]

    async def test_a_name_whose_slug_is_taken_is_a_conflict(
        self, client: httpx.AsyncClient, editor: Actor
    ) -> None:
        await create_tag(client, editor, name="Tech News")
        response = await client.post(
            "/v1/tags", json={"name": "tech  news!"}, headers=editor.headers
        )
        assert_error(response, 409, "CONFLICT")

    async def test_the_slug_comes_from_the_name(
        self, client: httpx.AsyncClient, editor: Actor
    ) -> None:
        created = await create_tag(client, editor, name="Café & Culture!")
        assert created["slug"] == "cafe-culture"
        fallback = await create_tag(client, editor, name="???")
        assert fallback["slug"] == "tag"

    async def test_created_at_its_location(self, client: httpx.AsyncClient, admin: Actor) -> None:
        response = await client.post(
            "/v1/tags", json={"name": "Go", "slug": "golang"}, headers=admin.headers
        )
        created = data(response, 201)
        assert response.headers["Location"] == f"/v1/tags/{created['id']}"
        assert (created["name"], created["slug"]) == ("Go", "golang")
        assert created["createdAt"] == created["updatedAt"]
        assert data(await client.get(response.headers["Location"])) == created

    async def test_an_idempotency_key_replays_the_first_answer(
        self, client: httpx.AsyncClient, editor: Actor
    ) -> None:
        headers = {**editor.headers, "Idempotency-Key": str(uuid.uuid4())}
        first = await client.post("/v1/tags", json={"name": "Once"}, headers=headers)
        again = await client.post("/v1/tags", json={"name": "Once"}, headers=headers)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert data(again, 201) == data(first, 201)
        assert len(data(await client.get("/v1/tags"))) == 1


class TestTagReads:
    async def test_get_unknown(self, client: httpx.AsyncClient) -> None:
        error = assert_error(await client.get(f"/v1/tags/{uuid.uuid4()}"), 404, "NOT_FOUND")
        assert error["message"] == "Tag not found."

    async def test_get_malformed_id(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/v1/tags/not-a-uuid"), 422, "VALIDATION_ERROR")

    async def test_a_malformed_cursor_is_refused(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get("/v1/tags?cursor=abc.def"), 400, "INVALID_CURSOR")

    @pytest.mark.parametrize("limit", ["0", "101", "x"])
    async def test_a_limit_out_of_range_is_refused(
        self, client: httpx.AsyncClient, limit: str
    ) -> None:
        assert_error(await client.get(f"/v1/tags?limit={limit}"), 422, "VALIDATION_ERROR")

    async def test_the_list_is_public_newest_first_in_pages(
        self, client: httpx.AsyncClient, editor: Actor
    ) -> None:
        made = [await create_tag(client, editor, name=f"Tag {n}") for n in range(5)]
        seen: list[dict[str, Any]] = []
        cursor: str | None = None
        pages = 0
        while True:
            query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
            response = await client.get(f"/v1/tags{query}")
            seen += data(response)
            pages += 1
            meta = response.json()["meta"]
            assert meta["limit"] == 2
            cursor = meta["nextCursor"]
            if cursor is None:
                break
        assert pages == 3
        assert seen == list(reversed(made))


class TestUpdateTag:
    async def test_unknown(self, client: httpx.AsyncClient, editor: Actor) -> None:
        response = await client.patch(
            f"/v1/tags/{uuid.uuid4()}", json={"name": "X"}, headers=editor.headers
        )
        assert_error(response, 404, "NOT_FOUND")

    async def test_author_is_forbidden(
        self, client: httpx.AsyncClient, editor: Actor, author: Actor
    ) -> None:
        tag = await create_tag(client, editor)
        response = await client.patch(
            f"/v1/tags/{tag['id']}", json={"name": "X"}, headers=author.headers
        )
        assert_error(response, 403, "FORBIDDEN")
        assert data(await client.get(f"/v1/tags/{tag['id']}")) == tag

    async def test_a_taken_slug_is_a_conflict(
        self, client: httpx.AsyncClient, editor: Actor
    ) -> None:
        await create_tag(client, editor, slug="a")
        second = await create_tag(client, editor, slug="b")
        response = await client.patch(
            f"/v1/tags/{second['id']}", json={"slug": "a"}, headers=editor.headers
        )
        assert_error(response, 409, "CONFLICT")
        assert data(await client.get(f"/v1/tags/{second['id']}")) == second

    async def test_omitted_fields_are_kept(self, client: httpx.AsyncClient, editor: Actor) -> None:
        tag = await create_tag(client, editor, slug="notes")
        response = await client.patch(
            f"/v1/tags/{tag['id']}", json={"name": "Notes"}, headers=editor.headers
        )
        updated = data(response)
        assert (updated["id"], updated["name"], updated["slug"]) == (tag["id"], "Notes", "notes")
        assert updated["updatedAt"] > tag["updatedAt"]
        assert data(await client.get(f"/v1/tags/{tag['id']}")) == updated


class TestDeleteTag:
    async def test_unknown(self, client: httpx.AsyncClient, editor: Actor) -> None:
        response = await client.delete(f"/v1/tags/{uuid.uuid4()}", headers=editor.headers)
        assert_error(response, 404, "NOT_FOUND")

    async def test_author_is_forbidden(
        self, client: httpx.AsyncClient, editor: Actor, author: Actor
    ) -> None:
        tag = await create_tag(client, editor)
        response = await client.delete(f"/v1/tags/{tag['id']}", headers=author.headers)
        assert_error(response, 403, "FORBIDDEN")
        assert data(await client.get(f"/v1/tags/{tag['id']}")) == tag

    async def test_deletes(self, client: httpx.AsyncClient, admin: Actor) -> None:
        tag = await create_tag(client, admin)
        response = await client.delete(f"/v1/tags/{tag['id']}", headers=admin.headers)
        assert response.status_code == 204
        assert response.content == b""
        assert_error(await client.get(f"/v1/tags/{tag['id']}"), 404, "NOT_FOUND")
        again = await client.delete(f"/v1/tags/{tag['id']}", headers=admin.headers)
        assert_error(again, 404, "NOT_FOUND")
