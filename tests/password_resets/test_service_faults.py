"""Requesting a reset with the jobs queue down: accepted, and the job leaves once it is back."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from app.password_resets import service as resets
from app.platform.aws.clients import AwsClients
from app.platform.outbox.relay import Relay
from app.settings import Settings
from tests.aws_helpers import drain
from tests.fixtures.actors import Actor
from tests.fixtures.aws_faults import client_for, unreachable
from tests.helpers import data

LEASE_SECONDS = 0.2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"outbox_lease_seconds": LEASE_SECONDS})


async def test_reset_request_with_the_jobs_queue_down_is_queued_once_it_answers(
    client: httpx.AsyncClient, author: Actor, settings: Settings, relay: Relay, clients: AwsClients
) -> None:
    await asyncio.to_thread(drain, clients, settings.jobs_queue)
    async with client_for(unreachable(settings, ("sqs",))) as down:
        response = await down.post("/v1/password-resets", json={"email": author.email})
        assert data(response, 202) == {"status": "accepted"}
    assert await asyncio.to_thread(drain, clients, settings.jobs_queue) == []

    await asyncio.sleep(LEASE_SECONDS * 2)
    assert (await relay.sweep()).delivered == 1

    jobs = await asyncio.to_thread(drain, clients, settings.jobs_queue)
    assert [(job["type"], job["email"]) for job in jobs] == [(resets.ISSUE, author.email)]
