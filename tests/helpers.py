"""Assertions shared by the HTTP tests."""

from __future__ import annotations

from typing import Any

import httpx


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
