"""Each request: a trace id, one access log line and one metric record; over-limit bodies: 413."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.types import Receive, Scope, Send

from app.http.metrics import MetricsEmitter
from app.http.middleware import TraceMiddleware
from app.main import create_app
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.helpers import assert_error


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def metric_records(out: str) -> list[dict[str, Any]]:
    return [line for line in lines(out) if "_aws" in line]


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [vars(r) for r in caplog.records if r.name == "app.access"]


async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(create_app(settings)) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


@pytest.fixture
async def verbose_client(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    async for http in serve(settings.model_copy(update={"log_level": "INFO"})):
        yield http


async def test_metric_records_follow_the_embedded_metric_format(
    verbose_client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await verbose_client.get("/health")

    (record,) = metric_records(capsys.readouterr().out)
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "BlogApi"
    assert isinstance(record["_aws"]["Timestamp"], int)
    for dimension_set in directive["Dimensions"]:
        for dimension in dimension_set:
            assert isinstance(record[dimension], str)
    names = {metric["Name"] for metric in directive["Metrics"]}
    assert names == {"requests", "latencyMs", "errors5xx", "coldStarts"}
    for name in names:
        assert isinstance(record[name], int | float)


async def test_first_request_after_the_readiness_probes_is_the_cold_start(
    verbose_client: httpx.AsyncClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await verbose_client.get("/health")
    first = await verbose_client.get("/v1/posts")
    await verbose_client.get("/v1/posts")
    await verbose_client.get("/health")

    records, access = metric_records(capsys.readouterr().out), access_lines(caplog)
    assert [r["coldStart"] for r in records] == [False, True, False, False]
    assert [r["coldStarts"] for r in records] == [0, 1, 0, 0]
    assert [a["coldStart"] for a in access] == [False, True, False, False]
    assert [r["operationId"] for r in records] == ["getHealth", *["listPosts"] * 2, "getHealth"]
    assert records[1]["operationId"] == access[1]["operationId"]
    assert records[1]["traceId"] == first.headers["X-Trace-Id"]
    assert records[1]["requests"] == 1
    assert records[1]["errors5xx"] == 0
    assert access[1]["status"] == first.status_code == 200
    assert access[1]["latencyMs"] == records[1]["latencyMs"] >= 0


async def failing_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["path"] == "/raise":
        raise RuntimeError("boom")
    await send({"type": "http.response.start", "status": 503, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize(("path", "status"), [("/unavailable", 503), ("/raise", 500)])
async def test_server_errors_count_as_5xx(
    capsys: pytest.CaptureFixture[str], path: str, status: int
) -> None:
    app = TraceMiddleware(failing_app, metrics=MetricsEmitter(namespace="Test"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get(path)

    assert response.status_code == status
    (record,) = metric_records(capsys.readouterr().out)
    assert record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Test"
    assert (record["operationId"], record["status"], record["errors5xx"]) == (
        "unmatched",
        status,
        1,
    )


async def test_unrouted_paths_are_counted_under_one_dimension(
    verbose_client: httpx.AsyncClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = await verbose_client.get("/no/such/path")

    assert response.status_code == 404
    (record,) = metric_records(capsys.readouterr().out)
    (access,) = access_lines(caplog)
    assert record["operationId"] == "unmatched"
    assert access["operationId"] is None
    assert (record["status"], record["errors5xx"]) == (404, 0)


async def test_metrics_survive_a_warning_log_level_and_can_be_turned_off(
    capsys: pytest.CaptureFixture[str], settings: Settings
) -> None:
    async for http in serve(settings):
        await http.get("/health")
    assert len(metric_records(capsys.readouterr().out)) == 1

    async for http in serve(settings.model_copy(update={"metrics_enabled": False})):
        await http.get("/health")
    assert metric_records(capsys.readouterr().out) == []


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


async def test_trace_id_comes_from_the_gateway(client: httpx.AsyncClient) -> None:
    trace = "Root=1-67891233-abcdef012345678912345678"
    response = await client.get("/v1/nope", headers={"X-Amzn-Trace-Id": trace})
    assert response.headers["X-Trace-Id"] == trace
    assert response.json()["error"]["traceId"] == trace


async def test_unusable_trace_header_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Amzn-Trace-Id": "bad value\twith tab"})
    assert response.headers["X-Trace-Id"].startswith("Root=1-")
