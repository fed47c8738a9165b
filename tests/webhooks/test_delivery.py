"""One attempt: it connects to the address the SSRF check resolved (a DNS answer that changes
afterwards cannot redirect it), names the URL's host, and signs as Standard Webhooks says."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from app.webhooks import delivery, signing, urls
from tests.webhooks.conftest import Receiver

BODY = '{"type":"tag.created","timestamp":"2026-12-02T10:00:00Z","data":{}}'


async def send(attempt: delivery.Attempt, *, allow_private: bool = True) -> delivery.Outcome:
    async with delivery.client(timeout=2.0) as client:
        return await delivery.send(
            client,
            attempt,
            now=datetime.now(UTC),
            allow_private=allow_private,
            deadline_seconds=2.0,
            resolve_seconds=1.0,
        )


async def test_an_unreachable_receiver_is_an_error_not_an_exception(
    receiver: Receiver,
) -> None:
    secret = signing.new_secret()
    closed = receiver.url("/ok").replace(str(receiver.port), "1")
    outcome = await send(delivery.Attempt(closed, "evt", BODY, (secret,)))
    assert outcome.status_code is None
    assert outcome.error is not None
    assert outcome.error.startswith("ConnectError")
    assert not outcome.succeeded


async def test_the_send_connects_to_the_checked_address_and_names_the_host(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The name resolves once, to loopback, in the check; were it looked up again to connect,
    # it would not resolve at all (.test is reserved).
    async def once(host: str, port: int, *, within_seconds: float) -> list[urls.Address]:
        monkeypatch.setattr(urls, "resolve", gone)
        return [ipaddress.ip_address("127.0.0.1")]

    async def gone(host: str, port: int, *, within_seconds: float) -> list[urls.Address]:
        raise urls.Unresolved(host)

    monkeypatch.setattr(urls, "resolve", once)
    secret = signing.new_secret()
    receiver.secrets.append(secret)

    outcome = await send(
        delivery.Attempt(receiver.url("/ok", host="rebind.test"), "evt", BODY, (secret,))
    )

    assert outcome.status_code == 204
    [received] = receiver.received
    assert received.headers["host"] == f"rebind.test:{receiver.port}"
    assert received.verified
    assert received.body == BODY


def test_the_headers_sign_with_every_secret() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    now = datetime(2026, 12, 2, 10, 5, 0, 999_000, tzinfo=UTC)
    headers = delivery.headers(
        delivery.Attempt("https://x.example", "evt_1", BODY, (new, old)), now=now
    )

    assert headers["webhook-id"] == "evt_1"
    assert headers["webhook-timestamp"] == "1796205900"
    assert headers["content-type"] == "application/json"
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == 2
    assert all(s.startswith("v1,") for s in signatures)
    at = datetime.fromtimestamp(1796205900, UTC)
    for secret, signed in zip((new, old), signatures, strict=True):
        assert StandardWebhook(secret).sign("evt_1", at, BODY) == signed


async def test_a_refused_url_is_not_sent(receiver: Receiver) -> None:
    outcome = await send(
        delivery.Attempt(receiver.url("/ok"), "evt", BODY, (signing.new_secret(),)),
        allow_private=False,
    )
    assert outcome.error == "not sent: The URL must use https."
    assert receiver.received == []


async def test_the_client_ignores_proxies_from_the_environment(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:1")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:1")
    secret = signing.new_secret()
    receiver.secrets.append(secret)
    outcome = await send(delivery.Attempt(receiver.url("/ok"), "evt", BODY, (secret,)))
    assert outcome.status_code == 204
