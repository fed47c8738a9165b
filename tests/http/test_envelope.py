"""Every non-2xx answer is the error envelope, with the request's trace id."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from app import errors
from tests.helpers import assert_error


async def test_unknown_route(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/nope"), 404, "NOT_FOUND")


async def test_method_not_allowed_lists_allowed_methods(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/posts")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


async def test_malformed_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/users", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "BAD_REQUEST")


async def test_validation_details(client: httpx.AsyncClient) -> None:
    error = assert_error(await client.post("/v1/users", json={"email": 1}), 422, "VALIDATION_ERROR")
    locations = {d["location"] for d in error["details"]}
    assert {"body.email", "body.password", "body.displayName"} <= locations


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
