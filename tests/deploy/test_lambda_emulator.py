"""The app behind the real Lambda Runtime Interface Emulator and Web Adapter, on loopback.

API Gateway HTTP API (payload 2.0) events go to the emulator's invoke endpoint; the adapter
turns them into HTTP requests to the app, started with the image's command and variables.
Needs the two binaries `make lambda-tools` builds into .tools/bin; skipped without them, and
failed without them under CI.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.contract.contract_test import ON_THIS_MACHINE, image_env, serve_command
from tests.deploy.dockerfile import stages
from tests.fixtures.services import free_port
from tests.helpers import unavailable

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools" / "bin"
RIE = Path(os.environ.get("LAMBDA_RIE_BIN", TOOLS / "aws-lambda-rie"))
ADAPTER = Path(os.environ.get("LAMBDA_ADAPTER_BIN", TOOLS / "lambda-adapter"))
INVOKE = "/2015-03-31/functions/function/invocations"
TRACE = "Root=1-6745a0b2-0123456789abcdef01234567"
STARTUP_SECONDS = 30


def api_gateway_event(method: str, path: str, body: bytes | None = None) -> dict[str, Any]:
    headers = {
        "host": "abc123.execute-api.eu-west-1.amazonaws.com",
        "x-amzn-trace-id": TRACE,
        "accept": "application/json",
    }
    if body is not None:
        headers["content-type"] = "application/json"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": headers["host"],
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.10",
                "userAgent": "emulator-test",
            },
            "requestId": secrets.token_hex(8),
            "routeKey": "$default",
            "stage": "$default",
            "time": "26/Nov/2026:06:00:00 +0000",
            "timeEpoch": 1795672800000,
        },
        "isBase64Encoded": body is not None,
    }
    if body is not None:
        event["body"] = base64.b64encode(body).decode()
    return event


@pytest.fixture(scope="module")
def lambda_env(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    if not (RIE.is_file() and ADAPTER.is_file()):
        unavailable("the Lambda emulator and Web Adapter are not built: run `make lambda-tools`")
    work = tmp_path_factory.mktemp("lambda")
    image = stages(ROOT / "Dockerfile")[-1]
    port = int(image.env()["AWS_LWA_PORT"])
    app_port = free_port()
    program, *arguments = serve_command(port)
    arguments[arguments.index(str(port))] = str(app_port)
    server = shlex.join([str(Path(sys.executable).parent / program), *arguments])
    bootstrap = work / "bootstrap"
    # The adapter runs here as the runtime process; in the image it is an extension.
    bootstrap.write_text(f"#!/bin/sh\ncd {shlex.quote(str(ROOT))}\n{server} &\nexec {ADAPTER}\n")
    bootstrap.chmod(0o755)
    env = {
        **os.environ,
        **image_env(work / "opa-cache"),
        **ON_THIS_MACHINE,
        **{k: v for k, v in image.env().items() if k.startswith("AWS_LWA_")},
        "AWS_LWA_PORT": str(app_port),
        "DATABASE_URL": database_url,
        "TOKEN_PEPPER": secrets.token_urlsafe(48),
    }
    rie_port = free_port()
    log_path = work / "rie.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            str(RIE),
            "--runtime-interface-emulator-address",
            f"127.0.0.1:{rie_port}",
            "--runtime-api-address",
            f"127.0.0.1:{free_port()}",
            str(bootstrap),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{rie_port}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"the Lambda emulator did not answer within {STARTUP_SECONDS} s; "
                        f"its log:\n{log_path.read_text()}",
                        pytrace=False,
                    )
                time.sleep(0.1)
        yield f"http://127.0.0.1:{rie_port}", log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.close()


def invoke(lambda_env: tuple[str, Path], event: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{lambda_env[0]}{INVOKE}", json=event, timeout=60)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    return reply


def test_health_through_the_adapter(lambda_env: tuple[str, Path]) -> None:
    reply = invoke(lambda_env, api_gateway_event("GET", "/health"))

    assert reply["statusCode"] == 200
    assert json.loads(reply["body"]) == {"status": "ok"}
    assert reply["headers"]["content-type"] == "application/json"
    assert reply["headers"]["x-trace-id"] == TRACE
    assert reply["isBase64Encoded"] is False


def test_registering_writes_through_to_postgresql(lambda_env: tuple[str, Path]) -> None:
    email = f"lambda-{secrets.token_hex(4)}@example.com"
    body = json.dumps({"email": email, "password": "a-long-password-1", "displayName": "L"})

    reply = invoke(lambda_env, api_gateway_event("POST", "/v1/users", body.encode()))

    assert reply["statusCode"] == 201, reply
    envelope = json.loads(reply["body"])
    assert envelope["success"] is True
    assert envelope["error"] is None
    assert envelope["data"]["email"] == email


def test_unknown_route_gets_the_error_envelope(lambda_env: tuple[str, Path]) -> None:
    reply = invoke(lambda_env, api_gateway_event("GET", "/v1/no-such-thing"))

    assert reply["statusCode"] == 404
    envelope = json.loads(reply["body"])
    assert (envelope["success"], envelope["data"]) == (False, None)
    assert envelope["error"]["code"] == "NOT_FOUND"
    assert envelope["error"]["traceId"] == reply["headers"]["x-trace-id"] == TRACE


def test_metrics_reach_the_function_log_with_one_cold_start(
    lambda_env: tuple[str, Path],
) -> None:
    invoke(lambda_env, api_gateway_event("GET", "/v1/posts"))
    invoke(lambda_env, api_gateway_event("GET", "/health"))

    lines = lambda_env[1].read_text().splitlines()
    records = [json.loads(line) for line in lines if line.startswith('{"_aws"')]
    cold = [record for record in records if record["coldStart"]]
    assert len(cold) == 1
    assert cold[0]["operationId"] != "getHealth"
    invoked = [record["operationId"] for record in records if record["traceId"] == TRACE]
    assert invoked[-2:] == ["listPosts", "getHealth"]
    # The adapter's own readiness probes come without an API Gateway trace id.
    assert any(record["traceId"] != TRACE for record in records)
