"""Every non-2xx answer is the error envelope, with the request's trace id."""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml
from fastapi import FastAPI

from app import errors
from app.http import envelope
from generated.models import ErrorEnvelope
from tests.helpers import assert_error

ROOT = Path(__file__).resolve().parents[2]


async def test_unknown_route(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/nope"), 404, "NOT_FOUND")


async def test_method_not_allowed_lists_allowed_methods(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/posts")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
    }


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


async def test_an_error_stays_within_the_contracts_bounds_however_large_the_request(
    client: httpx.AsyncClient,
) -> None:
    spec = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    schemas = spec["components"]["schemas"]
    detail, error = schemas["ErrorDetail"]["properties"], schemas["ApiError"]["properties"]
    assert error["details"]["maxItems"] == envelope.MAX_DETAILS
    assert envelope.MAX_MESSAGE == error["message"]["maxLength"] == detail["message"]["maxLength"]
    assert detail["location"]["maxLength"] == envelope.MAX_LOCATION
    assert detail["type"]["maxLength"] == envelope.MAX_TYPE
    # Unknown fields, each an error naming it: more of them, and longer, than an answer may hold.
    body = {f"{i:04d}" + "k" * 2000: 1 for i in range(300)}

    response = await client.post("/v1/users", json=body)

    failure = assert_error(response, 422, "VALIDATION_ERROR")
    # The generated model holds the contract's bounds.
    ErrorEnvelope.model_validate(response.json())
    assert len(failure["details"]) == envelope.MAX_DETAILS
