"""recordPostView over HTTP, and the view count that every representation of a post carries."""

from __future__ import annotations

import asyncio

import httpx

from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import client_for, unreachable
from tests.helpers import assert_error, data

CONCURRENT_VIEWS = 200


async def published_post(client: httpx.AsyncClient, author: Actor) -> str:
    body = {"title": "Counted", "status": "published"}
    post_id: str = data(await client.post("/v1/posts", json=body, headers=author.headers), 201)[
        "id"
    ]
    return post_id


async def test_draft_views_are_not_counted_for_strangers(
    client: httpx.AsyncClient, author: Actor, other_author: Actor
) -> None:
    body = {"title": "Secret"}
    post_id = data(await client.post("/v1/posts", json=body, headers=author.headers), 201)["id"]
    assert_error(await client.post(f"/v1/posts/{post_id}/views"), 404, "NOT_FOUND")
    response = await client.post(f"/v1/posts/{post_id}/views", headers=other_author.headers)
    assert_error(response, 404, "NOT_FOUND")
    mine = data(await client.post(f"/v1/posts/{post_id}/views", headers=author.headers))
    assert mine == {"postId": post_id, "viewCount": 1}


async def test_unknown_post(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/posts/00000000-0000-4000-8000-000000000000/views")
    assert_error(response, 404, "NOT_FOUND")


async def test_concurrent_views_are_all_counted(client: httpx.AsyncClient, author: Actor) -> None:
    post_id = await published_post(client, author)
    answers = await asyncio.gather(
        *(client.post(f"/v1/posts/{post_id}/views") for _ in range(CONCURRENT_VIEWS))
    )
    counts = sorted(data(a)["viewCount"] for a in answers)
    assert counts == list(range(1, CONCURRENT_VIEWS + 1))
    assert data(await client.get(f"/v1/posts/{post_id}"))["viewCount"] == CONCURRENT_VIEWS


async def test_posts_carry_their_counts_on_every_representation(
    client: httpx.AsyncClient, author: Actor
) -> None:
    seen, unseen = await published_post(client, author), await published_post(client, author)
    for _ in range(3):
        data(await client.post(f"/v1/posts/{seen}/views"))
    listed = {p["id"]: p["viewCount"] for p in data(await client.get("/v1/posts"))}
    assert (listed[seen], listed[unseen]) == (3, 0)
    slug = data(await client.get(f"/v1/posts/{seen}"))["slug"]
    assert data(await client.get(f"/v1/posts/by-slug/{slug}"))["viewCount"] == 3


async def test_counter_store_down(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await published_post(client, author)
    async with client_for(unreachable(settings, ("dynamodb",))) as down:
        response = await down.post(f"/v1/posts/{post_id}/views")
        assert_error(response, 503, "SERVICE_UNAVAILABLE")
        assert int(response.headers["Retry-After"]) > 0
        # Post reads survive the outage, without a count.
        assert data(await down.get(f"/v1/posts/{post_id}"))["viewCount"] is None
        assert [p["viewCount"] for p in data(await down.get("/v1/posts"))] == [None]
    assert data(await client.post(f"/v1/posts/{post_id}/views"))["viewCount"] == 1
