"""Assertions shared by the HTTP tests, and a wait for what happens after the response."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

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
