"""The server dies (SIGKILL) after its commit, before its side effect left: the sweeper sends it,
once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.platform.outbox.relay import Relay
from app.settings import Settings
from tests.fixtures.actors import PASSWORD
from tests.fixtures.aws import Subscriber
from tests.fixtures.database import TEST_PEPPER
from tests.fixtures.services import free_port

ROOT = Path(__file__).resolve().parents[3]
LEASE_SECONDS = 0.5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"outbox_lease_seconds": LEASE_SECONDS})


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The app in its own process, whose SNS calls reach nothing: events stay in the outbox."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "TOKEN_PEPPER": TEST_PEPPER,
        "AWS_ENDPOINT_URL": str(settings.aws_endpoint_url),
        "AWS_SERVICE_ENDPOINTS": json.dumps({"sns": f"http://127.0.0.1:{free_port()}"}),
        "AWS_MAX_ATTEMPTS": "1",
        "OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "METRICS_ENABLED": "false",
        "LOG_LEVEL": "ERROR",
    }
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        raise AssertionError("the server did not start")
    yield process, base
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


async def test_an_event_committed_before_a_sigkill_is_delivered_once_by_the_sweeper(
    server: tuple[subprocess.Popen[bytes], str],
    subscriber: Subscriber,
    relay: Relay,
) -> None:
    process, base = server
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        email = f"crash-{time.monotonic_ns()}@example.com"
        body = {"email": email, "password": PASSWORD, "displayName": "Crash"}
        assert (await http.post("/v1/users", json=body)).status_code == 201
        login = await http.post("/v1/sessions", json={"email": email, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['data']['token']}"}
        created = await http.post(
            "/v1/posts", json={"title": "Last words", "status": "published"}, headers=headers
        )
        assert created.status_code == 201, created.text
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert await subscriber.events() == []

    await asyncio.sleep(LEASE_SECONDS * 2)
    first = await relay.sweep()
    second = await relay.sweep()

    assert (first.delivered, second.delivered) == (1, 0)
    received = await subscriber.events()
    assert [(e["type"], e["postId"]) for e in received] == [
        ("post.published", created.json()["data"]["id"])
    ]
