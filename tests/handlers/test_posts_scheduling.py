"""publishAt over HTTP: refused in the past or off a draft, with its detail; null unschedules;
a scheduled post stays hidden from the public until the sweeper publishes it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.platform.db.database import Database
from app.platform.db.models import utcnow
from app.posts import scheduling
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.helpers import assert_error, data


def at(delta: timedelta) -> str:
    return (utcnow() + delta).isoformat()


class TestPublishAt:
    @pytest.mark.parametrize(
        "body",
        [
            {"title": "T", "publishAt": at(-timedelta(seconds=1))},
            {"title": "T", "publishAt": at(timedelta(hours=1)), "status": "published"},
            {"title": "T", "publishAt": "tomorrow"},
            {"title": "T", "publishAt": "2030-01-01T00:00:00"},  # no offset
        ],
    )
    async def test_refused_on_create(
        self, client: httpx.AsyncClient, author: Actor, body: dict[str, Any]
    ) -> None:
        response = await client.post("/v1/posts", json=body, headers=author.headers)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        assert [d["location"] for d in error["details"]] == ["body.publishAt"]

    async def test_scheduled_then_unscheduled_by_patch(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        when = at(timedelta(hours=1))
        created = await client.post(
            "/v1/posts", json={"title": "T", "publishAt": when}, headers=author.headers
        )
        post = data(created, 201)
        assert (post["status"], post["publishAt"][:19]) == ("draft", when[:19])
        path = f"/v1/posts/{post['id']}"
        headers = {**author.headers, "If-Match": created.headers["ETag"]}
        unscheduled = data(await client.patch(path, json={"publishAt": None}, headers=headers))
        assert unscheduled["publishAt"] is None

    async def test_hidden_until_the_sweeper_publishes_it(
        self,
        client: httpx.AsyncClient,
        author: Actor,
        database: Database,
        settings: Settings,
    ) -> None:
        when = utcnow() + timedelta(hours=1)
        post = data(
            await client.post(
                "/v1/posts",
                json={"title": "T", "publishAt": when.isoformat()},
                headers=author.headers,
            ),
            201,
        )
        path = f"/v1/posts/{post['id']}"
        assert_error(await client.get(path), 404, "NOT_FOUND")

        await scheduling.publish_due(database=database, settings=settings, now=when)

        published = data(await client.get(path))
        assert (published["status"], published["publishAt"]) == ("published", None)
