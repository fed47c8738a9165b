from __future__ import annotations

import uuid

import httpx
import pytest

from tests.fixtures.actors import Actor
from tests.helpers import assert_error, data


async def create_category(client: httpx.AsyncClient, actor: Actor, **fields: str) -> dict[str, str]:
    body = {"name": "News", **fields}
    created: dict[str, str] = data(
        await client.post("/v1/categories", json=body, headers=actor.headers), 201
    )
    return created


class TestCreateCategory:
    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        assert_error(
            await client.post("/v1/categories", json={"name": "X"}), 401, "UNAUTHENTICATED"
        )

    async def test_author_is_forbidden(self, client: httpx.AsyncClient, author: Actor) -> None:
        response = await client.post("/v1/categories", json={"name": "X"}, headers=author.headers)
        assert_error(response, 403, "FORBIDDEN")

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"name": ""},
            {"name": "n" * 81},
            {"name": "ok", "slug": "Not A Slug"},
            {"name": "ok", "slug": "double--hyphen"},
            {"name": "ok", "slug": "s" * 121},
            {"name": "ok", "description": "d" * 501},
            {"name": "ok", "id": str(uuid.uuid4())},
        ],
    )
    async def test_invalid(
        self, client: httpx.AsyncClient, editor: Actor, body: dict[str, str]
    ) -> None:
        response = await client.post("/v1/categories", json=body, headers=editor.headers)
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_duplicate_slug(self, client: httpx.AsyncClient, editor: Actor) -> None:
        await create_category(client, editor, slug="news")
        response = await client.post(
            "/v1/categories", json={"name": "Other", "slug": "news"}, headers=editor.headers
        )
        assert_error(response, 409, "CONFLICT")

    async def test_slug_derived_from_name(self, client: httpx.AsyncClient, editor: Actor) -> None:
        created = await create_category(client, editor, name="Café & Culture!")
        assert created["slug"] == "cafe-culture"


class TestCategoryReads:
    async def test_list_is_public_and_sorted(
        self, client: httpx.AsyncClient, editor: Actor
    ) -> None:
        await create_category(client, editor, name="Zebra")
        await create_category(client, editor, name="Apple")
        response = await client.get("/v1/categories")
        assert [c["name"] for c in data(response)] == ["Apple", "Zebra"]
        assert response.json()["meta"] == {"count": 2}

    async def test_empty_list(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/categories")
        assert data(response) == []

    async def test_get_answers_what_was_created(
        self, client: httpx.AsyncClient, editor: Actor
    ) -> None:
        created = await create_category(client, editor, name="Science", description="Papers")
        await create_category(client, editor, name="Other")
        assert data(await client.get(f"/v1/categories/{created['id']}")) == created

    async def test_get_unknown(self, client: httpx.AsyncClient) -> None:
        assert_error(await client.get(f"/v1/categories/{uuid.uuid4()}"), 404, "NOT_FOUND")


class TestUpdateCategory:
    async def test_slug_taken(self, client: httpx.AsyncClient, editor: Actor) -> None:
        await create_category(client, editor, slug="a")
        second = await create_category(client, editor, slug="b")
        response = await client.patch(
            f"/v1/categories/{second['id']}", json={"slug": "a"}, headers=editor.headers
        )
        assert_error(response, 409, "CONFLICT")

    async def test_updates(self, client: httpx.AsyncClient, editor: Actor) -> None:
        created = await create_category(client, editor)
        response = await client.patch(
            f"/v1/categories/{created['id']}",
            json={"name": "Renamed", "description": "About"},
            headers=editor.headers,
        )
        updated = data(response)
        assert (updated["id"], updated["name"], updated["description"], updated["slug"]) == (
            created["id"],
            "Renamed",
            "About",
            created["slug"],
        )
        assert data(await client.get(f"/v1/categories/{created['id']}")) == updated


class TestDeleteCategory:
    async def test_in_use_is_a_conflict(
        self, client: httpx.AsyncClient, editor: Actor, author: Actor
    ) -> None:
        category = await create_category(client, editor)
        post = await client.post(
            "/v1/posts", json={"title": "T", "categoryId": category["id"]}, headers=author.headers
        )
        assert post.status_code == 201
        response = await client.delete(f"/v1/categories/{category['id']}", headers=editor.headers)
        assert_error(response, 409, "CONFLICT")
        assert data(await client.get(f"/v1/categories/{category['id']}")) == category

    async def test_deletes(self, client: httpx.AsyncClient, admin: Actor) -> None:
        category = await create_category(client, admin)
        response = await client.delete(f"/v1/categories/{category['id']}", headers=admin.headers)
        assert response.status_code == 204
        assert response.content == b""
        again = await client.delete(f"/v1/categories/{category['id']}", headers=admin.headers)
        assert_error(again, 404, "NOT_FOUND")
