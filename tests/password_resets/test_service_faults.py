"""Requesting a reset with the jobs queue down: refused with 503, accepted once it is back."""

from __future__ import annotations

import httpx

from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import client_for, unreachable
from tests.helpers import assert_unavailable, data


async def test_reset_request_with_the_jobs_queue_down_is_refused(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    async with client_for(unreachable(settings, ("sqs",))) as down:
        response = await down.post("/v1/password-resets", json={"email": author.email})
        assert_unavailable(response)
    again = await client.post("/v1/password-resets", json={"email": author.email})
    assert data(again, 202) == {"status": "accepted"}
