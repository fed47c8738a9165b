"""Rate limits on a real Redis: N allowed, N+1 refused with the headers, reset by the window.

The limits count on a frozen clock, which a test moves to the next window: nothing depends on
how long a request (an argon2 login, say) takes.
"""

from __future__ import annotations

import math
import uuid

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from app.settings import Quota, Settings
from tests.fixtures.actors import PASSWORD, Actor, register
from tests.helpers import FrozenClock, assert_error, data

pytestmark = pytest.mark.usefixtures("real_redis")

# Long enough that Redis, which expires a window's key in real time, keeps it for the test.
WINDOW = 60


@pytest.fixture
def clock() -> FrozenClock:
    # A quarter of a second into a window of every size here that divides 1.8e9 seconds.
    return FrozenClock(1_800_000_000.25)


@pytest.fixture
def app(settings: Settings, clock: FrozenClock) -> FastAPI:
    """The app, with its rate limits on the frozen clock."""
    return create_app(settings, clock=clock)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "ratelimit_login_per_account_ip": Quota(count=3, seconds=WINDOW),
            "ratelimit_login_per_account": Quota(count=8, seconds=WINDOW),
            "ratelimit_login_per_ip": Quota(count=5, seconds=WINDOW),
            "ratelimit_register_per_ip": Quota(count=4, seconds=WINDOW),
            "ratelimit_writes_per_user": Quota(count=3, seconds=WINDOW),
            "ratelimit_password_reset_per_ip": Quota(count=2, seconds=WINDOW),
            "ratelimit_views_per_ip": Quota(count=3, seconds=WINDOW),
        }
    )


def assert_limited(response: httpx.Response, name: str, quota: Quota, clock: FrozenClock) -> None:
    """429 with the headers, asking to wait the rest of the window, in whole seconds."""
    assert_error(response, 429, "RATE_LIMITED")
    rest = math.ceil(quota.seconds - clock.now % quota.seconds)
    assert response.headers["Retry-After"] == str(rest)
    assert response.headers["RateLimit-Policy"] == f'"{name}";q={quota.count};w={quota.seconds}'
    assert response.headers["RateLimit"] == f'"{name}";r=0;t={rest}'


async def attempt(
    client: httpx.AsyncClient, email: str, password: str, *, source: str | None = None
) -> httpx.Response:
    """A login; from `source` as API Gateway would forward it (the test peer is a trusted proxy)."""
    headers = {"X-Forwarded-For": source} if source else {}
    body = {"email": email, "password": password}
    return await client.post("/v1/sessions", json=body, headers=headers)


async def test_login_per_account_and_address(
    client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    email = str((await register(client))["email"])
    clock.advance(WINDOW)
    for _ in range(3):
        assert_error(await attempt(client, email, "wrong password"), 401, "INVALID_CREDENTIALS")
    refused = await attempt(client, email, PASSWORD)
    assert_limited(refused, "login-account-ip", settings.ratelimit_login_per_account_ip, clock)
    clock.advance(WINDOW)
    data(await attempt(client, email, PASSWORD), 201)


class TestLockout:
    """Guessing from other addresses throttles the guesser, not the owner; a wide enough spread
    of addresses meets the account's ceiling."""

    async def test_the_owner_logs_in_while_others_guess(
        self, client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
    ) -> None:
        email = str((await register(client))["email"])
        for guesser in ("203.0.113.1", "203.0.113.2"):
            statuses = [
                (await attempt(client, email, "guess", source=guesser)).status_code
                for _ in range(5)
            ]
            assert statuses == [401, 401, 401, 429, 429]
        refused = await attempt(client, email, PASSWORD, source="203.0.113.1")
        assert_limited(refused, "login-ip", settings.ratelimit_login_per_ip, clock)
        # Ten attempts, but the two refused per address never reached the ceiling (8): six did.
        data(await attempt(client, email, PASSWORD, source="198.51.100.7"), 201)

    async def test_the_ceiling_stops_a_distributed_attack(
        self, client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
    ) -> None:
        email = str((await register(client))["email"])
        for n in range(8):
            guessed = await attempt(client, email, "guess", source=f"203.0.113.{n // 3 + 1}")
            assert_error(guessed, 401, "INVALID_CREDENTIALS")
        quota = settings.ratelimit_login_per_account
        assert_limited(
            await attempt(client, email, "guess", source="203.0.113.9"),
            "login-account",
            quota,
            clock,
        )
        # Past the ceiling the owner is refused too: the cost of bounding guesses per account.
        owner = await attempt(client, email, PASSWORD, source="198.51.100.7")
        assert_limited(owner, "login-account", quota, clock)


async def test_login_per_ip_spans_accounts(
    client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    emails = [str((await register(client))["email"]) for _ in range(3)]
    clock.advance(WINDOW)
    for i in range(5):
        assert_error(await attempt(client, emails[i % 3], "nope"), 401, "INVALID_CREDENTIALS")
    refused = await attempt(client, emails[0], PASSWORD)
    assert_limited(refused, "login-ip", settings.ratelimit_login_per_ip, clock)


async def test_registration_per_ip(
    client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
) -> None:
    clock.advance(WINDOW)
    for _ in range(4):
        await register(client)
    body = {"email": "late@example.com", "password": PASSWORD, "displayName": "Late"}
    refused = await client.post("/v1/users", json=body)
    assert_limited(refused, "register-ip", settings.ratelimit_register_per_ip, clock)
    clock.advance(WINDOW)
    data(await client.post("/v1/users", json=body), 201)


async def test_writes_per_user(
    client: httpx.AsyncClient,
    author: Actor,
    other_author: Actor,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    clock.advance(WINDOW)
    for i in range(3):
        data(await client.post("/v1/posts", json={"title": f"P{i}"}, headers=author.headers), 201)
    refused = await client.post("/v1/posts", json={"title": "P"}, headers=author.headers)
    assert_limited(refused, "writes-user", settings.ratelimit_writes_per_user, clock)
    # Another user, and reads, are not affected.
    data(await client.post("/v1/posts", json={"title": "O"}, headers=other_author.headers), 201)
    data(await client.get("/v1/posts", headers=author.headers))


async def test_attachment_writes_per_user(
    client: httpx.AsyncClient, author: Actor, settings: Settings, clock: FrozenClock
) -> None:
    post = data(await client.post("/v1/posts", json={"title": "P"}, headers=author.headers), 201)
    attachments = f"/v1/posts/{post['id']}/attachments"
    body = {"filename": "pic.png", "contentType": "image/png", "size": 100}
    clock.advance(WINDOW)
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
        assert_limited(refused, "writes-user", settings.ratelimit_writes_per_user, clock)
    data(await client.get(attachments, headers=author.headers))


async def test_post_views_per_ip_whoever_calls(
    client: httpx.AsyncClient, author: Actor, settings: Settings, clock: FrozenClock
) -> None:
    body = {"title": "Read", "status": "published"}
    post = data(await client.post("/v1/posts", json=body, headers=author.headers), 201)
    views = f"/v1/posts/{post['id']}/views"
    clock.advance(WINDOW)
    # Each call counts against the limit, a repeated view (the author's second) included.
    assert data(await client.post(views, headers=author.headers))["viewCount"] == 1
    assert data(await client.post(views, headers=author.headers))["viewCount"] == 1
    assert data(await client.post(views, headers={"User-Agent": "a"}))["viewCount"] == 2

    anonymous = await client.post(views, headers={"User-Agent": "b"})
    signed_in = await client.post(views, headers=author.headers)

    assert_limited(anonymous, "views-ip", settings.ratelimit_views_per_ip, clock)
    assert_limited(signed_in, "views-ip", settings.ratelimit_views_per_ip, clock)
    # Views are not writes: the author's write budget is untouched.
    data(await client.post("/v1/posts", json={"title": "Q"}, headers=author.headers), 201)
    clock.advance(WINDOW)
    assert data(await client.post(views, headers={"User-Agent": "b"}))["viewCount"] == 3


class TestPasswordResets:
    """Requests and confirmations, each on a budget of its own."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(
            update={
                "ratelimit_password_reset_confirm_per_ip": Quota(count=3, seconds=WINDOW),
            }
        )

    async def test_requests_per_ip(
        self, client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
    ) -> None:
        body = {"email": "someone@example.com"}
        for _ in range(2):
            assert (await client.post("/v1/password-resets", json=body)).status_code == 202
        refused = await client.post("/v1/password-resets", json=body)
        assert_limited(
            refused, "password-reset-ip", settings.ratelimit_password_reset_per_ip, clock
        )
        # Asking for links spent nothing of the budget for confirming one.
        confirm = await client.post(f"/v1/password-resets/{'t' * 43}", json={"password": PASSWORD})
        assert_error(confirm, 404, "NOT_FOUND")

    async def test_confirmations_per_ip(
        self, client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
    ) -> None:
        confirm = f"/v1/password-resets/{'t' * 43}"
        for _ in range(3):
            assert_error(await client.post(confirm, json={"password": PASSWORD}), 404, "NOT_FOUND")
        refused = await client.post(confirm, json={"password": PASSWORD})
        quota = settings.ratelimit_password_reset_confirm_per_ip
        assert_limited(refused, "password-reset-confirm-ip", quota, clock)
        body = {"email": "someone@example.com"}
        assert (await client.post("/v1/password-resets", json=body)).status_code == 202


async def test_refused_requests_keep_counting(
    client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    email = str((await register(client))["email"])
    clock.advance(WINDOW)
    statuses = [(await attempt(client, email, "wrong")).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]


class TestClientAddress:
    """The subject of a per-address limit is the address API Gateway appended, not the one a
    client wrote into X-Forwarded-For itself."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(
            update={"ratelimit_register_per_ip": Quota(count=2, seconds=WINDOW)}
        )

    async def test_a_made_up_left_most_entry_does_not_change_the_subject(
        self, client: httpx.AsyncClient, settings: Settings, clock: FrozenClock
    ) -> None:
        async def sign_up(forwarded_for: str) -> httpx.Response:
            body = {"email": f"{uuid.uuid4().hex}@example.com", "password": PASSWORD}
            return await client.post(
                "/v1/users",
                json={**body, "displayName": "Spoofer"},
                headers={"X-Forwarded-For": forwarded_for},
            )

        for n in range(2):
            data(await sign_up(f"10.9.8.{n}, 198.51.100.7"), 201)
        refused = await sign_up("10.9.8.99, 198.51.100.7")
        assert_limited(refused, "register-ip", settings.ratelimit_register_per_ip, clock)
        # Another real peer is another subject.
        data(await sign_up("10.9.8.99, 198.51.100.8"), 201)
