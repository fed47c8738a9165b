"""The webhooks operations over HTTP: admins only (401 anonymous, 403 others), the secret shown
on create and rotate only and never cached, URLs the SSRF rule refuses answered 422 at
body.url, unknown ids 404, and deliveries listed with their attempts and sent again."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from app.platform.db.database import Database
from app.webhooks import events
from tests.fixtures.actors import ANONYMOUS, Actor
from tests.helpers import assert_error, data

PUBLIC = "https://93.184.215.14/hooks/blog"
MISSING = uuid.uuid4()


async def create_webhook(client: httpx.AsyncClient, admin: Actor, **fields: Any) -> dict[str, Any]:
    body = {"url": PUBLIC, "eventTypes": ["category.created"], **fields}
    created: dict[str, Any] = data(
        await client.post("/v1/webhooks", json=body, headers=admin.headers), 201
    )
    return created


OPERATIONS = [
    ("GET", "/v1/webhooks", None),
    ("POST", "/v1/webhooks", {"url": PUBLIC, "eventTypes": ["tag.created"]}),
    ("GET", f"/v1/webhooks/{MISSING}", None),
    ("PATCH", f"/v1/webhooks/{MISSING}", {"active": False}),
    ("DELETE", f"/v1/webhooks/{MISSING}", None),
    ("POST", f"/v1/webhooks/{MISSING}/secret", None),
    ("GET", f"/v1/webhooks/{MISSING}/deliveries", None),
    ("POST", f"/v1/webhooks/{MISSING}/deliveries/{MISSING}/redeliver", None),
]


class TestAccess:
    @pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
    async def test_anonymous(
        self, client: httpx.AsyncClient, method: str, path: str, body: Any
    ) -> None:
        response = await client.request(method, path, json=body, headers=ANONYMOUS.headers)
        assert_error(response, 401, "UNAUTHENTICATED")

    @pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
    async def test_editors_are_forbidden(
        self, client: httpx.AsyncClient, editor: Actor, method: str, path: str, body: Any
    ) -> None:
        response = await client.request(method, path, json=body, headers=editor.headers)
        assert_error(response, 403, "FORBIDDEN")

    @pytest.mark.parametrize(("method", "path", "body"), OPERATIONS[2:])
    async def test_an_unknown_webhook_is_not_found(
        self, client: httpx.AsyncClient, admin: Actor, method: str, path: str, body: Any
    ) -> None:
        response = await client.request(method, path, json=body, headers=admin.headers)
        error = assert_error(response, 404, "NOT_FOUND")
        assert error["message"] == "Webhook not found."


class TestCreateWebhook:
    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("https://127.0.0.1/h", "loopback"),
            ("https://localhost:8443/h", "loopback"),
            ("https://10.0.0.7/h", "private"),
            ("https://169.254.169.254/latest/meta-data", "cloud metadata"),
            ("https://[fd00:ec2::254]/h", "cloud metadata"),
            ("https://100.64.1.1/h", "shared (CGNAT)"),
            ("http://93.184.215.14/h", "https"),
        ],
    )
    async def test_a_url_webhooks_may_not_reach(
        self, client: httpx.AsyncClient, admin: Actor, url: str, reason: str
    ) -> None:
        body = {"url": url, "eventTypes": ["tag.created"]}
        response = await client.post("/v1/webhooks", json=body, headers=admin.headers)
        error = assert_error(response, 422, "VALIDATION_ERROR")
        [detail] = error["details"]
        assert detail["location"] == "body.url"
        assert reason in detail["message"]

    @pytest.mark.parametrize(
        "body",
        [
            {"url": PUBLIC},
            {"url": PUBLIC, "eventTypes": []},
            {"url": PUBLIC, "eventTypes": ["post.created"]},
            {"url": PUBLIC, "eventTypes": ["tag.created", "tag.created"]},
            {"url": "hooks.example.com", "eventTypes": ["tag.created"]},
            {"url": PUBLIC, "eventTypes": ["tag.created"], "secret": "whsec_x"},
            {"url": PUBLIC, "eventTypes": ["tag.created"], "active": None},
        ],
    )
    async def test_invalid(
        self, client: httpx.AsyncClient, admin: Actor, body: dict[str, Any]
    ) -> None:
        response = await client.post("/v1/webhooks", json=body, headers=admin.headers)
        assert_error(response, 422, "VALIDATION_ERROR")

    async def test_the_secret_is_shown_once_and_not_cached(
        self, client: httpx.AsyncClient, admin: Actor
    ) -> None:
        response = await client.post(
            "/v1/webhooks",
            json={"url": PUBLIC, "eventTypes": ["tag.created"], "description": "Site"},
            headers=admin.headers,
        )
        created = data(response, 201)
        assert created["secret"].startswith("whsec_")
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Location"] == f"/v1/webhooks/{created['id']}"
        read = data(await client.get(f"/v1/webhooks/{created['id']}", headers=admin.headers))
        assert read == {k: v for k, v in created.items() if k != "secret"}
        assert read["active"] is True
        assert read["description"] == "Site"
        listed = data(await client.get("/v1/webhooks", headers=admin.headers))
        assert listed == [read]


class TestChangeWebhook:
    async def test_update_then_delete(self, client: httpx.AsyncClient, admin: Actor) -> None:
        created = await create_webhook(client, admin)
        path = f"/v1/webhooks/{created['id']}"
        changed = data(
            await client.patch(
                path,
                json={"active": False, "eventTypes": ["tag.deleted", "post.published"]},
                headers=admin.headers,
            )
        )
        assert changed["active"] is False
        assert changed["eventTypes"] == ["tag.deleted", "post.published"]
        assert changed["url"] == PUBLIC
        response = await client.patch(
            path, json={"url": "https://192.168.0.2/x"}, headers=admin.headers
        )
        assert_error(response, 422, "VALIDATION_ERROR")
        assert (await client.delete(path, headers=admin.headers)).status_code == 204
        assert_error(await client.get(path, headers=admin.headers), 404, "NOT_FOUND")

    async def test_rotation_answers_a_new_secret(
        self, client: httpx.AsyncClient, admin: Actor
    ) -> None:
        created = await create_webhook(client, admin)
        response = await client.post(f"/v1/webhooks/{created['id']}/secret", headers=admin.headers)
        rotated = data(response)
        assert rotated["secret"].startswith("whsec_")
        assert rotated["secret"] != created["secret"]
        assert response.headers["Cache-Control"] == "no-store"


class TestDeliveries:
    async def test_listed_with_their_attempts_and_sent_again(
        self, client: httpx.AsyncClient, admin: Actor, database: Database
    ) -> None:
        created = await create_webhook(client, admin)
        await database.transaction(
            lambda uow: events.emit(uow, event_type="category.created", data={"id": "c"})
        )
        path = f"/v1/webhooks/{created['id']}/deliveries"
        response = await client.get(path, params={"limit": 1}, headers=admin.headers)
        [delivery] = data(response)
        assert response.json()["meta"] == {"nextCursor": None, "limit": 1}
        assert delivery["eventType"] == "category.created"
        assert (delivery["status"], delivery["attempts"], delivery["attemptLog"]) == (
            "pending",
            0,
            [],
        )
        again = await client.post(f"{path}/{delivery['id']}/redeliver", headers=admin.headers)
        assert data(again, 202)["id"] == delivery["id"]
        missing = await client.post(f"{path}/{MISSING}/redeliver", headers=admin.headers)
        error = assert_error(missing, 404, "NOT_FOUND")
        assert error["message"] == "Webhook delivery not found."

    async def test_an_altered_cursor(self, client: httpx.AsyncClient, admin: Actor) -> None:
        created = await create_webhook(client, admin)
        response = await client.get(
            f"/v1/webhooks/{created['id']}/deliveries",
            params={"cursor": "abc.def"},
            headers=admin.headers,
        )
        assert_error(response, 400, "INVALID_CURSOR")
