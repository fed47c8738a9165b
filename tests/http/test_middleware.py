"""Each request: a trace id, one access log line and one metric record; over-limit bodies: 413;
the client address behind trusted proxies; the headers every response carries."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from starlette.types import Receive, Scope, Send

from app.http.metrics import MetricsEmitter
from app.http.middleware import ClientAddressMiddleware, TraceMiddleware
from app.main import create_app
from app.settings import Settings
from tests.fixtures.actors import PASSWORD, Actor
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


async def test_the_access_log_never_writes_a_reset_token(
    verbose_client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = "secret-reset-token-" + "x" * 20
    for method in ("POST", "GET", "OPTIONS"):
        await verbose_client.request(method, f"/v1/password-resets/{token}", json={"password": "p"})

    access = access_lines(caplog)
    assert [a["method"] for a in access] == ["POST", "GET", "OPTIONS"]
    assert {a["path"] for a in access} == {"/v1/password-resets/{token}"}
    assert all(token not in str(vars(r)) for r in caplog.records if r.name.startswith("app"))


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
    # The error envelope names it too; the answer still carries the header once.
    assert response.headers.get_list("X-Trace-Id") == [trace]
    assert response.json()["error"]["traceId"] == trace
    for url in ("/health", "/v1/posts"):
        ok = await client.get(url, headers={"X-Amzn-Trace-Id": trace})
        assert ok.headers.get_list("X-Trace-Id") == [trace]


async def test_unusable_trace_header_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Amzn-Trace-Id": "bad value\twith tab"})
    assert response.headers["X-Trace-Id"].startswith("Root=1-")


async def echo_client(scope: Scope, receive: Receive, send: Send) -> None:
    """An app answering with the client address it was given."""
    body = json.dumps(scope["client"][0]).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


class TestClientAddress:
    LOOPBACK = (ipaddress.ip_network("127.0.0.1"),)

    async def client_seen(
        self,
        forwarded_for: list[str],
        *,
        peer: str = "127.0.0.1",
        trusted: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = LOOPBACK,
    ) -> str:
        app = ClientAddressMiddleware(echo_client, trusted=trusted)
        transport = httpx.ASGITransport(app=app, client=(peer, 4321))
        headers = [("X-Forwarded-For", value) for value in forwarded_for]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            seen: str = (await http.get("/", headers=headers)).json()
        return seen

    async def test_the_right_most_untrusted_entry_is_the_client(self) -> None:
        # API Gateway appended the real peer; the client wrote the rest itself.
        assert await self.client_seen(["6.6.6.6, 198.51.100.7"]) == "198.51.100.7"

    async def test_a_made_up_left_most_entry_changes_nothing(self) -> None:
        seen = {await self.client_seen([f"10.0.0.{n}, 198.51.100.7"]) for n in range(5)}
        assert seen == {"198.51.100.7"}

    async def test_trusted_hops_on_the_right_are_skipped(self) -> None:
        trusted = (*self.LOOPBACK, ipaddress.ip_network("10.0.0.0/8"))
        seen = await self.client_seen(["6.6.6.6, 198.51.100.7, 10.1.2.3"], trusted=trusted)
        assert seen == "198.51.100.7"

    async def test_every_header_line_counts_in_order(self) -> None:
        assert await self.client_seen(["6.6.6.6", "198.51.100.7"]) == "198.51.100.7"

    async def test_an_untrusted_peer_is_the_client_whatever_it_forwards(self) -> None:
        assert await self.client_seen(["6.6.6.6"], peer="198.51.100.9") == "198.51.100.9"

    async def test_without_the_header_the_peer_is_the_client(self) -> None:
        assert await self.client_seen([]) == "127.0.0.1"

    async def test_addresses_are_canonical_and_without_ports(self) -> None:
        assert await self.client_seen(["198.51.100.7:5555"]) == "198.51.100.7"
        assert await self.client_seen(["[2001:DB8:0::1]:443"]) == "2001:db8::1"
        assert await self.client_seen(["2001:db8:0:0::1"]) == "2001:db8::1"


class TestSecurityHeaders:
    async def test_every_response_says_nosniff(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        body = {"title": "Sniffed", "status": "published"}
        post = await client.post("/v1/posts", json=body, headers=author.headers)
        assert post.status_code == 201, post.text
        path = f"/v1/posts/{post.json()['data']['id']}"
        # The second anonymous read is a cache hit the fast path answers before routing.
        answers = [
            await client.get("/health"),
            await client.get("/v1/nope"),
            await client.get(path),
            await client.get(path),
            await client.get(path, headers={"If-None-Match": post.headers["ETag"]}),
            await client.post("/v1/users", content=b"x" * 2_000_000),
            await client.get("/openapi.json"),
        ]
        assert [a.status_code for a in answers] == [200, 404, 200, 200, 304, 413, 200]
        for answer in answers:
            assert answer.headers["X-Content-Type-Options"] == "nosniff", answer.request.url

    async def test_personal_answers_are_never_stored(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        assert author.email is not None
        login = {"email": author.email, "password": PASSWORD}
        answers = {
            "createSession": await client.post("/v1/sessions", json=login),
            "getCurrentUser": await client.get("/v1/users/me", headers=author.headers),
            "getCurrentUser 401": await client.get("/v1/users/me"),
            "updateCurrentUser": await client.patch(
                "/v1/users/me", json={"bio": "hi"}, headers=author.headers
            ),
            "listSessions": await client.get("/v1/sessions", headers=author.headers),
            "requestPasswordReset": await client.post(
                "/v1/password-resets", json={"email": author.email}
            ),
            "confirmPasswordReset": await client.post(
                f"/v1/password-resets/{'u' * 43}", json={"password": "a long new password"}
            ),
        }
        assert [a.status_code for a in answers.values()] == [201, 200, 401, 200, 200, 202, 404]
        for name, answer in answers.items():
            assert answer.headers.get("Cache-Control") == "no-store", name

    async def test_public_answers_keep_their_caching(self, client: httpx.AsyncClient) -> None:
        for path in ("/health", "/v1/posts", "/v1/categories"):
            answer = await client.get(path)
            assert answer.status_code == 200
            assert "Cache-Control" not in answer.headers, path


class TestDocs:
    async def test_served_locally_by_default(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/docs")).status_code == 200

    async def test_a_setting_turns_them_off(self, settings: Settings) -> None:
        async for http in serve(settings.model_copy(update={"docs_enabled": False})):
            assert_error(await http.get("/docs"), 404, "NOT_FOUND")
            # The contract itself stays: clients and the contract tests read it.
            assert (await http.get("/openapi.json")).status_code == 200
