"""Rate limits on a real Redis: N allowed, N+1 refused with the headers, reset by the window."""

from __future__ import annotations

import asyncio
import math
import re
import time

import httpx
import pytest

from app.settings import Quota, Settings
from tests.fixtures.actors import PASSWORD, Actor, register
from tests.helpers import assert_error, data

pytestmark = pytest.mark.usefixtures("real_redis")

WINDOW = 1


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "ratelimit_login_per_account": Quota(count=3, seconds=WINDOW),
            "ratelimit_login_per_ip": Quota(count=5, seconds=WINDOW),
            "ratelimit_register_per_ip": Quota(count=4, seconds=WINDOW),
            "ratelimit_writes_per_user": Quota(count=3, seconds=WINDOW),
            "ratelimit_password_reset_per_ip": Quota(count=2, seconds=WINDOW),
            "ratelimit_views_per_ip": Quota(count=3, seconds=WINDOW),
        }
    )


async def next_window() -> None:
    """Wait for the next fixed window to begin (under a second with WINDOW = 1)."""
    await asyncio.sleep(WINDOW - time.time() % WINDOW + 0.01)


def assert_limited(response: httpx.Response, name: str, quota: Quota) -> None:
    assert_error(response, 429, "RATE_LIMITED")
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= math.ceil(quota.seconds) + 1
    assert response.headers["RateLimit-Policy"] == f'"{name}";q={quota.count};w={quota.seconds}'
    assert re.fullmatch(rf'"{name}";r=0;t=\d+', response.headers["RateLimit"])


async def attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/sessions", json={"email": email, "password": password})


async def test_login_per_account(client: httpx.AsyncClient, settings: Settings) -> None:
    email = str((await register(client))["email"])
    await next_window()
    for _ in range(3):
        assert_error(await attempt(client, email, "wrong password"), 401, "INVALID_CREDENTIALS")
    refused = await attempt(client, email, PASSWORD)
    assert_limited(refused, "login-account", settings.ratelimit_login_per_account)
    await next_window()
    data(await attempt(client, email, PASSWORD), 201)


async def test_login_per_ip_spans_accounts(client: httpx.AsyncClient, settings: Settings) -> None:
    emails = [str((await register(client))["email"]) for _ in range(3)]
    await next_window()
    for i in range(5):
        assert_error(await attempt(client, emails[i % 3], "nope"), 401, "INVALID_CREDENTIALS")
    refused = await attempt(client, emails[0], PASSWORD)
    assert_limited(refused, "login-ip", settings.ratelimit_login_per_ip)


async def test_registration_per_ip(client: httpx.AsyncClient, settings: Settings) -> None:
    await next_window()
    for _ in range(4):
        await register(client)
    body = {"email": "late@example.com", "password": PASSWORD, "displayName": "Late"}
    refused = await client.post("/v1/users", json=body)
    assert_limited(refused, "register-ip", settings.ratelimit_register_per_ip)
    await next_window()
    data(await client.post("/v1/users", json=body), 201)


async def test_writes_per_user(
    client: httpx.AsyncClient, author: Actor, other_author: Actor, settings: Settings
) -> None:
    await next_window()
    for i in range(3):
        data(await client.post("/v1/posts", json={"title": f"P{i}"}, headers=author.headers), 201)
    refused = await client.post("/v1/posts", json={"title": "P"}, headers=author.headers)
    assert_limited(refused, "writes-user", settings.ratelimit_writes_per_user)
    # Another user, and reads, are not affected.
    data(await client.post("/v1/posts", json={"title": "O"}, headers=other_author.headers), 201)
    data(await client.get("/v1/posts", headers=author.headers))


async def test_attachment_writes_per_user(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post = data(await client.post("/v1/posts", json={"title": "P"}, headers=author.headers), 201)
    attachments = f"/v1/posts/{post['id']}/attachments"
    body = {"filename": "pic.png", "contentType": "image/png", "size": 100}
    await next_window()
    first = data(await client.post(attachments, json=body, headers=author.headers), 201)
    data(await client.post(attachments, json=body, headers=author.headers), 201)
    one = f"{attachments}/{first['attachment']['id']}"
    assert (await client.delete(one, headers=author.headers)).status_code == 204

    refusals = [
        await client.post(attachments, json=body, headers=author.headers),
        await client.post(f"{one}/complete", headers=author.headers),
        await client.delete(one, headers=author.headers),
    ]

    for refused in refusals:
        assert_limited(refused, "writes-user", settings.ratelimit_writes_per_user)
    data(await client.get(attachments, headers=author.headers))


async def test_post_views_per_ip_whoever_calls(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    body = {"title": "Read", "status": "published"}
    post = data(await client.post("/v1/posts", json=body, headers=author.headers), 201)
    views = f"/v1/posts/{post['id']}/views"
    await next_window()
    for count in (1, 2, 3):
        assert data(await client.post(views, headers=author.headers))["viewCount"] == count

    anonymous = await client.post(views)
    signed_in = await client.post(views, headers=author.headers)

    assert_limited(anonymous, "views-ip", settings.ratelimit_views_per_ip)
    assert_limited(signed_in, "views-ip", settings.ratelimit_views_per_ip)
    # Views are not writes: the author's write budget is untouched.
    data(await client.post("/v1/posts", json={"title": "Q"}, headers=author.headers), 201)
    await next_window()
    assert data(await client.post(views))["viewCount"] == 4


async def test_password_resets_per_ip(client: httpx.AsyncClient, settings: Settings) -> None:
    body = {"email": "someone@example.com"}
    await next_window()
    for _ in range(2):
        assert (await client.post("/v1/password-resets", json=body)).status_code == 202
    refused = await client.post("/v1/password-resets", json=body)
    assert_limited(refused, "password-reset-ip", settings.ratelimit_password_reset_per_ip)
    confirm = await client.post(f"/v1/password-resets/{'t' * 20}", json={"password": PASSWORD})
    assert_limited(confirm, "password-reset-ip", settings.ratelimit_password_reset_per_ip)


async def test_refused_requests_keep_counting(client: httpx.AsyncClient) -> None:
    email = str((await register(client))["email"])
    await next_window()
    statuses = [(await attempt(client, email, "wrong")).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
