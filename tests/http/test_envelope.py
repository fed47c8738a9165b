"""Every non-2xx answer is the error envelope, with the request's trace id."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from app import errors
from app.main import create_app
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.helpers import assert_error


async def test_unknown_route(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/nope"), 404, "NOT_FOUND")


async def test_method_not_allowed_lists_allowed_methods(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/posts")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}, {}],
)
async def test_body_that_is_not_json(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.post("/v1/users", content=b'{"a": 1}', headers=headers)
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/users", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "BAD_REQUEST")


async def test_validation_details(client: httpx.AsyncClient) -> None:
    error = assert_error(await client.post("/v1/users", json={"email": 1}), 422, "VALIDATION_ERROR")
    locations = {d["location"] for d in error["details"]}
    assert {"body.email", "body.password", "body.displayName"} <= locations


async def test_announced_body_over_the_limit(client: httpx.AsyncClient) -> None:
    body = json.dumps({"title": "x" * (1024 * 1024)}).encode()
    response = await client.post(
        "/v1/users", content=body, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_streamed_body_over_the_limit(client: httpx.AsyncClient, author: Actor) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"title": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    response = await client.post(
        "/v1/posts",
        content=chunks(),
        headers={**author.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_not_implemented_operations(app: FastAPI, client: httpx.AsyncClient) -> None:
    async def not_yet() -> None:
        raise errors.NotImplementedYet()

    app.add_api_route("/test-not-yet", not_yet)
    assert_error(await client.get("/test-not-yet"), 501, "NOT_IMPLEMENTED")


async def test_unexpected_failure_is_a_500_envelope(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    async def broken() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/test-broken", broken)
    response = await client.get("/test-broken")
    error = assert_error(response, 500, "INTERNAL_ERROR")
    assert "boom" not in error["message"]


async def test_trace_id_comes_from_the_gateway(client: httpx.AsyncClient) -> None:
    trace = "Root=1-67891233-abcdef012345678912345678"
    response = await client.get("/v1/nope", headers={"X-Amzn-Trace-Id": trace})
    assert response.headers["X-Trace-Id"] == trace
    assert response.json()["error"]["traceId"] == trace


async def test_unusable_trace_header_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Amzn-Trace-Id": "bad value\twith tab"})
    assert response.headers["X-Trace-Id"].startswith("Root=1-")


async def test_every_log_line_carries_the_trace_id(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    app = create_app(settings.model_copy(update={"log_level": "INFO"}))
    trace = "Root=1-00000000-000000000000000000000001"
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.post(
                "/v1/sessions",
                json={"email": "a@example.com", "password": "x"},
                headers={"X-Amzn-Trace-Id": trace},
            )
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line["traceId"] for line in lines} <= {trace, None}
    access = [line for line in lines if line.get("message") == "request"]
    assert len(access) == 1
    assert access[0]["operationId"] == "createSession"
    assert access[0]["status"] == 401
    assert access[0]["latencyMs"] > 0
