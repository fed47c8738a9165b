"""recordPostView over HTTP: one view per viewer and window, and the view count that every
representation of a post carries."""

from __future__ import annotations

import asyncio

import httpx

from app.settings import Settings
from app.views import service as views_service
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import client_for, unreachable
from tests.fixtures.checkpoints import Rendezvous
from tests.fixtures.services import free_port
from tests.helpers import assert_error, data

# Each view held at the counter keeps its transaction's connection: under the pool's 5 + 10.
CONCURRENT_VIEWS = 12


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


def reader(n: int) -> dict[str, str]:
    """Anonymous viewer n: one client address, a browser of its own."""
    return {"User-Agent": f"reader-{n}"}


async def test_concurrent_views_are_all_counted(
    client: httpx.AsyncClient, author: Actor, rendezvous: Rendezvous
) -> None:
    """Every viewer has its marker before any adds: each add must count."""
    post_id = await published_post(client, author)
    rendezvous.arm(views_service.ADDING, CONCURRENT_VIEWS)
    answers = await asyncio.gather(
        *(
            client.post(f"/v1/posts/{post_id}/views", headers=reader(n))
            for n in range(CONCURRENT_VIEWS)
        )
    )
    assert rendezvous.held[views_service.ADDING] == CONCURRENT_VIEWS
    counts = sorted(data(a)["viewCount"] for a in answers)
    assert counts == list(range(1, CONCURRENT_VIEWS + 1))
    assert data(await client.get(f"/v1/posts/{post_id}"))["viewCount"] == CONCURRENT_VIEWS


async def test_posts_carry_their_counts_on_every_representation(
    client: httpx.AsyncClient, author: Actor
) -> None:
    seen, unseen = await published_post(client, author), await published_post(client, author)
    for n in range(3):
        data(await client.post(f"/v1/posts/{seen}/views", headers=reader(n)))
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


class TestOneViewPerViewer:
    async def test_an_anonymous_caller_counts_once_per_window(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post_id = await published_post(client, author)
        views = f"/v1/posts/{post_id}/views"
        answers = [
            data(await client.post(views, headers=reader(1)))["viewCount"] for _ in range(20)
        ]
        assert answers == [1] * 20
        # Another browser on the same address, or another address, is another viewer.
        assert data(await client.post(views, headers=reader(2)))["viewCount"] == 2
        elsewhere = {**reader(1), "X-Forwarded-For": "198.51.100.7"}
        assert data(await client.post(views, headers=elsewhere))["viewCount"] == 3

    async def test_a_signed_in_viewer_counts_once_wherever_they_read(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        post_id = await published_post(client, author)
        views = f"/v1/posts/{post_id}/views"
        for n in range(3):
            headers = {**other_author.headers, **reader(n), "X-Forwarded-For": f"198.51.100.{n}"}
            assert data(await client.post(views, headers=headers))["viewCount"] == 1

    async def test_a_repeated_view_answers_the_current_count(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post_id = await published_post(client, author)
        views = f"/v1/posts/{post_id}/views"
        assert data(await client.post(views, headers=reader(1)))["viewCount"] == 1
        for n in range(2, 5):
            data(await client.post(views, headers=reader(n)))
        assert data(await client.post(views, headers=reader(1))) == {
            "postId": post_id,
            "viewCount": 4,
        }

    async def test_the_window_ends(
        self, client: httpx.AsyncClient, author: Actor, settings: Settings
    ) -> None:
        post_id = await published_post(client, author)
        async with client_for(
            settings.model_copy(update={"views_dedupe_window_seconds": 1})
        ) as short:
            views = f"/v1/posts/{post_id}/views"
            assert data(await short.post(views))["viewCount"] == 1
            assert data(await short.post(views))["viewCount"] == 1
            await asyncio.sleep(1.1)
            assert data(await short.post(views))["viewCount"] == 2

    async def test_nothing_is_counted_while_redis_is_unavailable(
        self, client: httpx.AsyncClient, author: Actor, settings: Settings
    ) -> None:
        post_id = await published_post(client, author)
        views = f"/v1/posts/{post_id}/views"
        assert data(await client.post(views, headers=reader(1)))["viewCount"] == 1
        nowhere = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
        async with client_for(nowhere) as without_redis:
            for n in range(2, 5):
                answer = await without_redis.post(views, headers=reader(n))
                assert data(answer)["viewCount"] == 1
        assert data(await client.post(views, headers=reader(2)))["viewCount"] == 2
