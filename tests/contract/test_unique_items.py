"""An array the contract declares uniqueItems refuses a repeat with 422 before the operation runs
(the model generator leaves uniqueItems unchecked; the alias template adds the check)."""

from __future__ import annotations

import uuid

import httpx

from tests.fixtures.actors import Actor
from tests.helpers import assert_error


async def test_repeated_tag_ids_are_refused_before_the_precondition(
    client: httpx.AsyncClient, author: Actor
) -> None:
    created = await client.post("/v1/posts", json={"title": "Draft"}, headers=author.headers)
    assert created.status_code == 201, created.text
    tag_id = str(uuid.uuid4())
    response = await client.patch(
        f"/v1/posts/{created.json()['data']['id']}",
        json={"tagIds": [tag_id, tag_id]},
        headers={**author.headers, "If-Match": '"stale"'},
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert [detail["location"] for detail in error["details"]] == ["body.tagIds"]


async def test_repeated_event_types_are_refused(client: httpx.AsyncClient, admin: Actor) -> None:
    response = await client.post(
        "/v1/webhooks",
        json={
            "url": "https://hooks.example.com/blog",
            "eventTypes": ["post.published", "post.published"],
        },
        headers=admin.headers,
    )
    error = assert_error(response, 422, "VALIDATION_ERROR")
    assert [detail["location"] for detail in error["details"]] == ["body.eventTypes"]


async def test_distinct_items_pass(client: httpx.AsyncClient, author: Actor) -> None:
    response = await client.post(
        "/v1/posts", json={"title": "No tags", "tagIds": []}, headers=author.headers
    )
    assert response.status_code == 201, response.text
