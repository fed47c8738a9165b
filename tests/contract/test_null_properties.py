"""An optional property that the contract does not make nullable may be left out, not sent as
null; a nullable one takes null. The generated models type both as `X | None`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fixtures.actors import Actor
from tests.helpers import assert_error, data


async def draft(client: httpx.AsyncClient, author: Actor) -> httpx.Response:
    response = await client.post("/v1/posts", json={"title": "Draft"}, headers=author.headers)
    assert response.status_code == 201, response.text
    return response


@pytest.mark.parametrize("name", ["title", "body", "slug", "status"])
async def test_a_post_update_refuses_null_for_a_property_that_is_not_nullable(
    client: httpx.AsyncClient, author: Actor, name: str
) -> None:
    created = await draft(client, author)
    response = await client.patch(
        f"/v1/posts/{created.json()['data']['id']}",
        json={name: None},
        headers={**author.headers, "If-Match": created.headers["ETag"]},
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert [detail["location"] for detail in error["details"]] == [f"body.{name}"]


async def test_a_post_update_takes_null_for_the_nullable_category(
    client: httpx.AsyncClient, author: Actor
) -> None:
    created = await draft(client, author)
    response = await client.patch(
        f"/v1/posts/{created.json()['data']['id']}",
        json={"categoryId": None},
        headers={**author.headers, "If-Match": created.headers["ETag"]},
    )
    assert data(response)["categoryId"] is None


@pytest.mark.parametrize("body", [{"title": "T", "slug": None}, {"title": "T", "body": None}])
async def test_a_new_post_refuses_null_for_an_optional_property(
    client: httpx.AsyncClient, author: Actor, body: dict[str, Any]
) -> None:
    response = await client.post("/v1/posts", json=body, headers=author.headers)
    assert_error(response, 422, "VALIDATION_ERROR")


async def test_an_empty_bio_is_a_value_and_null_is_refused(
    client: httpx.AsyncClient, author: Actor
) -> None:
    set_bio = await client.patch("/v1/users/me", json={"bio": "About me"}, headers=author.headers)
    assert data(set_bio)["bio"] == "About me"
    cleared = await client.patch("/v1/users/me", json={"bio": ""}, headers=author.headers)
    assert data(cleared)["bio"] == ""
    refused = await client.patch("/v1/users/me", json={"bio": None}, headers=author.headers)
    assert_error(refused, 422, "VALIDATION_ERROR")
