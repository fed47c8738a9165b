"""Assertions shared by the HTTP tests, a wait for what happens after the response, and what a
test does when a service or tool it needs is missing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import httpx
import pytest

T = TypeVar("T")


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is the error envelope with this status and code, and echoes its trace id."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"success", "data", "error"}
    assert body["success"] is False
    assert body["data"] is None
    assert body["error"]["code"] == code
    assert body["error"]["traceId"] == response.headers["X-Trace-Id"]
    error: dict[str, Any] = body["error"]
    return error


def data(response: httpx.Response, status: int = 200) -> Any:
    """The data of a success envelope with this status."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    assert body["error"] is None
    return body["data"]


def keyed_hash(token: str, *, key: bytes) -> str:
    """HMAC-SHA256 of the token under the key, in hex: what the service stores in its place."""
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def assert_unavailable(response: httpx.Response) -> None:
    """503 with a Retry-After: a dependency is down, and the client may try again."""
    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert int(response.headers["Retry-After"]) > 0


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    until: Callable[[T], bool],
    within: float = 10.0,
    interval: float = 0.05,
) -> T:
    """Probe until `until` holds for its result; AssertionError with the last one after `within`
    seconds."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {within} s")
        await asyncio.sleep(interval)


@dataclass
class FrozenClock:
    """A clock, in seconds since the epoch, that stands still until the test moves it."""

    now: float

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def unavailable(reason: str) -> NoReturn:
    """A service or tool the test needs is missing: skip it here, fail it under CI.

    A skip exits 0, so in CI it would hide that nothing was tested; with `CI` set the run fails
    instead, saying what is missing.
    """
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)
