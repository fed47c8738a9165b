"""One attempt at a delivery: check the URL again, connect to the checked address, post, and
keep what the receiver answered (its status, and at most 1 KiB of its body).

The connection goes to the address the SSRF check allowed (urls.Target), with the URL's host in
the Host header and as the TLS server name, so the certificate is checked against the host.
Redirects are not followed (a 3xx is a failure), proxies from the environment are ignored, and
the whole exchange has one deadline.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import httpx
import msgspec

from app.webhooks import signing, urls

# The receiver's answer kept: 1 KiB; one byte more is read to know it was cut.
BODY_LIMIT = 1024
ERROR_LIMIT = 200
USER_AGENT = "blog-api-webhooks/1"


class Outcome(msgspec.Struct, frozen=True):
    status_code: int | None
    error: str | None
    duration_ms: int
    body: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Attempt(msgspec.Struct, frozen=True):
    """What one attempt sends: the payload frozen at the event, signed with these secrets."""

    url: str
    msg_id: str
    body: str
    secrets: tuple[str, ...]


def headers(attempt: Attempt, *, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of an attempt sent at `now` (whole seconds)."""
    seconds = int(now.timestamp())
    signed_at = datetime.fromtimestamp(seconds, UTC)
    return {
        "webhook-id": attempt.msg_id,
        "webhook-timestamp": str(seconds),
        "webhook-signature": signing.signature(
            secrets=attempt.secrets, msg_id=attempt.msg_id, timestamp=signed_at, body=attempt.body
        ),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        # The kept start of the answer is then its own bytes, not a compressed stream's.
        "accept-encoding": "identity",
    }


async def send(
    client: httpx.AsyncClient,
    attempt: Attempt,
    *,
    now: datetime,
    allow_private: bool,
    deadline_seconds: float,
    resolve_seconds: float,
) -> Outcome:
    """Post the attempt; never raises for what the network or the receiver does."""
    started = time.monotonic()

    def outcome(status: int | None, error: str | None, body: str | None = None) -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(status, error and _text(error)[:ERROR_LIMIT], elapsed, body)

    try:
        target = await urls.check(
            attempt.url, allow_private=allow_private, resolve_seconds=resolve_seconds
        )
    except (urls.Refused, urls.Unresolved) as exc:
        return outcome(None, f"not sent: {exc}")
    request = client.build_request(
        "POST",
        target.pinned_url(),
        content=attempt.body.encode(),
        headers={**headers(attempt, now=now), "host": target.host_header},
        extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
    )
    try:
        async with asyncio.timeout(deadline_seconds):
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                body = await _read_capped(response)
            finally:
                await response.aclose()
    except TimeoutError:
        return outcome(None, f"no answer within {deadline_seconds:g} s")
    except httpx.HTTPError as exc:
        return outcome(None, f"{type(exc).__name__}: {exc}")
    return outcome(response.status_code, None, body)


async def _read_capped(response: httpx.Response) -> str:
    kept = bytearray()
    async for chunk in response.aiter_raw():
        kept += chunk
        if len(kept) > BODY_LIMIT:
            break
    return _text(bytes(kept[:BODY_LIMIT]).decode("utf-8", errors="replace"))


def _text(text: str) -> str:
    # Stored and shown as contract strings, which never hold NUL.
    return text.replace("\x00", "\ufffd")


def client(*, timeout: float) -> httpx.AsyncClient:
    """The client of a batch of sends: no redirects, no proxies or .netrc from the environment."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=0),
    )
