"""A date-time in a request body is RFC 3339 text (format: date-time), as the contract types it:
a number, or digits in a string, is refused with 422 before the operation runs, where Pydantic
alone would read either as a Unix time."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.actors import Actor
from tests.helpers import assert_error


@pytest.mark.parametrize("value", [0, 1893456000, 1.5, "0", "1893456000", "2030-01-01", True])
async def test_publish_at_refuses_what_is_not_rfc3339_text(
    client: httpx.AsyncClient, author: Actor, value: object
) -> None:
    created = await client.post("/v1/posts", json={"title": "Draft"}, headers=author.headers)
    assert created.status_code == 201, created.text
    response = await client.patch(
        f"/v1/posts/{created.json()['data']['id']}",
        # A stale ETag: the refusal comes before the precondition is even looked at.
        json={"publishAt": value},
        headers={**author.headers, "If-Match": '"stale"'},
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert [detail["location"] for detail in error["details"]] == ["body.publishAt"]


async def test_publish_at_takes_rfc3339_text(client: httpx.AsyncClient, author: Actor) -> None:
    response = await client.post(
        "/v1/posts",
        json={"title": "Later", "publishAt": "2099-01-01T09:00:00Z"},
        headers=author.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["data"]["publishAt"] == "2099-01-01T09:00:00Z"
