"""JSON logs: every line a request produces carries that request's trace id."""

from __future__ import annotations

import json

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.main import create_app
from app.settings import Settings


async def test_every_log_line_carries_the_trace_id(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    app = create_app(settings.model_copy(update={"log_level": "INFO"}))
    trace = "Root=1-00000000-000000000000000000000001"
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            # What the start-up wrote belongs to no request.
            capsys.readouterr()
            await client.post(
                "/v1/sessions",
                json={"email": "a@example.com", "password": "x"},
                headers={"X-Amzn-Trace-Id": trace},
            )
            lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines
    assert {line.get("traceId") for line in lines} == {trace}
    access = [line for line in lines if line.get("message") == "request"]
    assert len(access) == 1
    assert access[0]["operationId"] == "createSession"
    assert access[0]["status"] == 401
