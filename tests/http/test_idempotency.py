"""Idempotency-Key: a retried POST gets its first answer again and does its work once.

Everything here is real: the app over PostgreSQL and Redis, the keys in the emulator's DynamoDB,
the messages in its SQS. A request is held in flight by a PostgreSQL table lock, and outages
are endpoints nothing listens on.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import yaml
from fastapi.routing import APIRoute

from app.http import idempotency
from app.platform.authz import Principal
from app.platform.aws import dynamo
from app.platform.aws.clients import AwsClients
from app.settings import Settings
from generated.main import contract_routes
from tests.aws_helpers import drain
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import client_for, unreachable
from tests.fixtures.database import asyncpg_dsn
from tests.handlers.test_attachments import PNG, make_post, start_upload, upload
from tests.helpers import assert_error, assert_unavailable, data, eventually

ROOT = Path(__file__).resolve().parents[2]
IDEMPOTENT = {
    "createPost",
    "createCategory",
    "createTag",
    "createAttachment",
    "completeAttachment",
    "requestPasswordReset",
}


def new_key() -> str:
    return str(uuid.uuid4())


def with_key(actor: Actor, key: str | bytes) -> dict[str, Any]:
    return {**actor.headers, "Idempotency-Key": key}


def item_key(actor: Actor, key: str) -> dict[str, str]:
    """The table's key for an actor's Idempotency-Key, as the app computes it."""
    assert actor.user_id is not None
    principal = Principal(user_id=actor.user_id, role=actor.kind, session_id=uuid.uuid4())
    caller = idempotency.caller_scope(principal, "unused for a signed-in caller")
    return {idempotency.KEY_ATTRIBUTE: idempotency.scoped_key(caller, key)}


async def stored(clients: AwsClients, settings: Settings, key: dict[str, str]) -> Any:
    return await dynamo.get_item(clients, table=settings.idempotency_table, key=key)


def same_answer(first: httpx.Response, again: httpx.Response) -> None:
    assert again.status_code == first.status_code
    assert again.content == first.content
    for name in ("Location", "ETag", "Content-Type"):
        assert again.headers.get(name) == first.headers.get(name), name
    assert idempotency.REPLAYED_HEADER not in first.headers
    assert again.headers[idempotency.REPLAYED_HEADER] == "true"


async def my_posts(client: httpx.AsyncClient, actor: Actor) -> list[dict[str, Any]]:
    response = await client.get(
        "/v1/posts", params={"authorId": str(actor.user_id)}, headers=actor.headers
    )
    posts: list[dict[str, Any]] = data(response)
    return posts


async def category_names(client: httpx.AsyncClient) -> list[str]:
    return [c["name"] for c in data(await client.get("/v1/categories"))]


@asynccontextmanager
async def categories_locked(settings: Settings) -> AsyncIterator[Callable[[], Awaitable[None]]]:
    """Every write to categories waits for the release (or the block's end): a request that
    writes one is held in flight, inside its handler, with its key claimed."""
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("LOCK TABLE categories IN ACCESS EXCLUSIVE MODE")
    released = False

    async def release() -> None:
        nonlocal released
        if not released:
            released = True
            await transaction.rollback()

    try:
        yield release
    finally:
        await release()
        await connection.close()


def test_the_operations_that_take_the_key_are_the_ones_the_contract_declares_it_on() -> None:
    spec = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    declared = {
        op["operationId"]
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and ref in op.get("parameters", [])
    }
    routed = {
        route.operation_id
        for route in contract_routes()
        if isinstance(route, APIRoute)
        and any(p.alias == idempotency.HEADER for p in route.dependant.header_params)
    }
    assert declared == routed == IDEMPOTENT


class TestReplay:
    async def test_a_created_post_is_answered_again_and_made_once(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        key, body = new_key(), {"title": "Once only", "status": "published"}
        first = await client.post("/v1/posts", json=body, headers=with_key(author, key))
        assert data(first, 201)["title"] == "Once only"
        assert first.headers["Location"].startswith("/v1/posts/")

        again = await client.post("/v1/posts", json=body, headers=with_key(author, key))

        same_answer(first, again)
        assert [p["id"] for p in await my_posts(client, author)] == [data(first, 201)["id"]]

    async def test_the_answer_is_kept_for_24_hours(
        self, client: httpx.AsyncClient, author: Actor, clients: AwsClients, settings: Settings
    ) -> None:
        key = new_key()
        before = int(time.time())
        response = await client.post(
            "/v1/posts", json={"title": "Kept"}, headers=with_key(author, key)
        )
        data(response, 201)

        item = await stored(clients, settings, item_key(author, key))

        assert item["phase"] == "done"
        assert item["status"] == 201
        assert before + 24 * 3600 <= item["expiresAt"] <= int(time.time()) + 24 * 3600
        assert item["headers"]["location"] == response.headers["Location"]

    async def test_a_repeated_reset_request_queues_one_job(
        self, client: httpx.AsyncClient, settings: Settings, clients: AwsClients
    ) -> None:
        email, key = f"{uuid.uuid4().hex[:10]}@example.com", new_key()
        headers = {"Idempotency-Key": key}
        first = await client.post("/v1/password-resets", json={"email": email}, headers=headers)
        again = await client.post("/v1/password-resets", json={"email": email}, headers=headers)

        assert data(first, 202) == {"status": "accepted"}
        same_answer(first, again)
        jobs = await asyncio.to_thread(drain, clients, settings.jobs_queue)
        assert [job["type"] for job in jobs if job.get("email") == email] == [
            "password_reset.issue"
        ]

    async def test_completing_twice_with_the_key_is_one_completion(
        self, client: httpx.AsyncClient, author: Actor, settings: Settings, clients: AwsClients
    ) -> None:
        post_id = await make_post(client, author)
        started = await start_upload(client, author, post_id)
        await upload(started, PNG)
        attachment_id = started["attachment"]["id"]
        path = f"/v1/posts/{post_id}/attachments/{attachment_id}/complete"
        key = new_key()

        first = await client.post(path, headers=with_key(author, key))
        again = await client.post(path, headers=with_key(author, key))
        without_key = await client.post(path, headers=author.headers)

        assert data(first, 202)["status"] == "processing"
        same_answer(first, again)
        assert_error(without_key, 409, "CONFLICT")
        jobs = await asyncio.to_thread(drain, clients, settings.jobs_queue)
        assert len([j for j in jobs if j.get("attachmentId") == attachment_id]) == 1

    async def test_a_4xx_is_stored_and_replayed_even_once_its_cause_is_gone(
        self, client: httpx.AsyncClient, editor: Actor
    ) -> None:
        taken = data(
            await client.post("/v1/categories", json={"name": "News"}, headers=editor.headers),
            201,
        )
        key, body = new_key(), {"name": "More news", "slug": taken["slug"]}
        first = await client.post("/v1/categories", json=body, headers=with_key(editor, key))
        assert_error(first, 409, "CONFLICT")
        deleted = await client.delete(f"/v1/categories/{taken['id']}", headers=editor.headers)
        assert deleted.status_code == 204

        again = await client.post("/v1/categories", json=body, headers=with_key(editor, key))
        fresh = await client.post("/v1/categories", json=body, headers=with_key(editor, new_key()))

        same_answer(first, again)
        assert data(fresh, 201)["slug"] == taken["slug"]

    async def test_an_answer_given_before_the_operation_runs_is_not_stored(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        key = new_key()
        invalid = await client.post("/v1/posts", json={"title": ""}, headers=with_key(author, key))
        assert_error(invalid, 422, "VALIDATION_ERROR")

        fixed = await client.post(
            "/v1/posts", json={"title": "Fixed"}, headers=with_key(author, key)
        )

        assert data(fixed, 201)["title"] == "Fixed"
        assert idempotency.REPLAYED_HEADER not in fixed.headers


class TestMismatch:
    async def test_the_same_key_with_another_body(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        key = new_key()
        data(
            await client.post("/v1/posts", json={"title": "A"}, headers=with_key(author, key)), 201
        )

        other = await client.post("/v1/posts", json={"title": "B"}, headers=with_key(author, key))

        assert_error(other, 422, "IDEMPOTENCY_KEY_REUSED")
        assert [p["title"] for p in await my_posts(client, author)] == ["A"]

    async def test_the_same_key_on_another_operation_or_path(
        self, client: httpx.AsyncClient, admin: Actor
    ) -> None:
        key = new_key()
        post_id = await make_post(client, admin)
        other_post_id = await make_post(client, admin)
        upload_body = {"filename": "a.png", "contentType": "image/png", "size": 10}
        data(
            await client.post(
                f"/v1/posts/{post_id}/attachments", json=upload_body, headers=with_key(admin, key)
            ),
            201,
        )

        other_path = await client.post(
            f"/v1/posts/{other_post_id}/attachments", json=upload_body, headers=with_key(admin, key)
        )
        other_operation = await client.post(
            "/v1/categories", json={"name": "Pictures"}, headers=with_key(admin, key)
        )

        assert_error(other_path, 422, "IDEMPOTENCY_KEY_REUSED")
        assert_error(other_operation, 422, "IDEMPOTENCY_KEY_REUSED")
        assert "Pictures" not in await category_names(client)


class TestConcurrency:
    async def test_a_duplicate_while_the_first_is_in_flight_answers_409(
        self,
        client: httpx.AsyncClient,
        editor: Actor,
        settings: Settings,
        clients: AwsClients,
    ) -> None:
        key, body = new_key(), {"name": "Concurrent"}

        async def send() -> httpx.Response:
            return await client.post("/v1/categories", json=body, headers=with_key(editor, key))

        async with categories_locked(settings) as release:

            async def duplicate_while_the_first_is_held() -> httpx.Response:
                await eventually(
                    lambda: stored(clients, settings, item_key(editor, key)),
                    until=lambda item: item is not None and item["phase"] == "running",
                )
                try:
                    return await send()
                finally:
                    await release()

            first, duplicate = await asyncio.gather(send(), duplicate_while_the_first_is_held())

        assert data(first, 201)["name"] == "Concurrent"
        assert_error(duplicate, 409, "IDEMPOTENCY_KEY_IN_USE")
        assert int(duplicate.headers["Retry-After"]) >= 1
        assert await category_names(client) == ["Concurrent"]
        same_answer(first, await send())

    async def test_two_at_once_make_exactly_one(
        self, client: httpx.AsyncClient, editor: Actor, settings: Settings
    ) -> None:
        key, body = new_key(), {"name": "Twice at once"}

        async def send() -> httpx.Response:
            return await client.post("/v1/categories", json=body, headers=with_key(editor, key))

        # The winner's insert waits on the lock, so the loser's answer comes first, while the
        # winner still holds the key: no sleep decides who arrived.
        async with categories_locked(settings):
            sends = [asyncio.create_task(send()) for _ in range(2)]
            first_done, _ = await asyncio.wait(
                sends, timeout=30, return_when=asyncio.FIRST_COMPLETED
            )
            assert len(first_done) == 1
            assert first_done.pop().result().status_code == 409
        answers = sorted(await asyncio.gather(*sends), key=lambda r: r.status_code)

        assert [r.status_code for r in answers] == [201, 409]
        assert_error(answers[1], 409, "IDEMPOTENCY_KEY_IN_USE")
        assert await category_names(client) == ["Twice at once"]


class TestScope:
    async def test_a_key_belongs_to_its_caller(
        self, client: httpx.AsyncClient, author: Actor, other_author: Actor
    ) -> None:
        key, body = new_key(), {"title": "Same key, same body"}
        mine = data(await client.post("/v1/posts", json=body, headers=with_key(author, key)), 201)

        response = await client.post("/v1/posts", json=body, headers=with_key(other_author, key))

        theirs = data(response, 201)
        assert idempotency.REPLAYED_HEADER not in response.headers
        assert theirs["id"] != mine["id"]
        assert theirs["authorId"] == str(other_author.user_id)


class TestNotStored:
    async def test_a_5xx_releases_the_key_for_a_retry(
        self,
        client: httpx.AsyncClient,
        author: Actor,
        settings: Settings,
        clients: AwsClients,
    ) -> None:
        post_id = await make_post(client, author)
        started = await start_upload(client, author, post_id)
        await upload(started, PNG)
        path = f"/v1/posts/{post_id}/attachments/{started['attachment']['id']}/complete"
        key = new_key()
        async with client_for(unreachable(settings, ("s3",))) as s3_down:
            failed = await s3_down.post(path, headers=with_key(author, key))
        assert_unavailable(failed)
        assert await stored(clients, settings, item_key(author, key)) is None

        retried = await client.post(path, headers=with_key(author, key))

        assert data(retried, 202)["status"] == "processing"
        assert idempotency.REPLAYED_HEADER not in retried.headers

    async def test_a_claim_whose_request_died_is_taken_over_after_its_lease(
        self,
        client: httpx.AsyncClient,
        author: Actor,
        settings: Settings,
        clients: AwsClients,
    ) -> None:
        key, body = new_key(), {"title": "After a crash"}
        held = await client.post("/v1/posts", json=body, headers=with_key(author, key))
        data(held, 201)
        # As a request that died mid-flight leaves it: running, its lease over.
        item = await stored(clients, settings, item_key(author, key))
        await dynamo.put_item(
            clients,
            table=settings.idempotency_table,
            item={
                **{k: v for k, v in item.items() if k not in {"status", "headers", "body"}},
                "phase": "running",
                "expiresAt": int(time.time()) - 1,
            },
        )

        retried = await client.post("/v1/posts", json=body, headers=with_key(author, key))

        assert data(retried, 201)["id"] != data(held, 201)["id"]
        assert idempotency.REPLAYED_HEADER not in retried.headers


class TestRefused:
    @pytest.mark.parametrize(
        "key",
        ["", "x" * 256, "has space", "tab\there", "ключ".encode()],
        ids=["empty", "too-long", "space", "tab", "non-ascii"],
    )
    async def test_a_malformed_key(
        self, client: httpx.AsyncClient, author: Actor, key: str | bytes
    ) -> None:
        response = await client.post(
            "/v1/posts", json={"title": "Never"}, headers=with_key(author, key)
        )

        error = assert_error(response, 400, "BAD_REQUEST")
        assert [d["location"] for d in error["details"]] == ["header.Idempotency-Key"]
        assert await my_posts(client, author) == []

    async def test_the_longest_key_is_accepted(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        key = new_key() + "~" * (255 - 36)
        response = await client.post(
            "/v1/posts", json={"title": "Long"}, headers=with_key(author, key)
        )
        data(response, 201)

    async def test_dynamodb_unreachable_answers_503_and_does_nothing(
        self, client: httpx.AsyncClient, editor: Actor, settings: Settings
    ) -> None:
        async with client_for(unreachable(settings, ("dynamodb",))) as dynamodb_down:
            refused = await dynamodb_down.post(
                "/v1/categories", json={"name": "Unsure"}, headers=with_key(editor, new_key())
            )
            without_key = await dynamodb_down.post(
                "/v1/categories", json={"name": "Plain"}, headers=editor.headers
            )

        assert_unavailable(refused)
        assert data(without_key, 201)["name"] == "Plain"
        assert await category_names(client) == ["Plain"]
