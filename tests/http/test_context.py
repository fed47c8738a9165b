"""The request context refuses a body that is not sent as JSON, before the handler runs."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_error


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}, {}],
)
async def test_body_that_is_not_json(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.post("/v1/users", content=b'{"a": 1}', headers=headers)
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
