"""Prism's validating proxy as the contract run drives it: a conforming answer passes, and a
request or an answer that breaks the contract is refused and logged as a violation."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from scripts.contract.prism_flow import PRISM, prism_proxy, violations
from tests.helpers import unavailable

LOG_WAIT_SECONDS = 2.0


@pytest.fixture(autouse=True)
def prism_installed() -> None:
    if not PRISM.exists():
        unavailable("needs node_modules (npm ci)")


class Upstream(ThreadingHTTPServer):
    """Answers GET /health with `health` and records every path it was asked for."""

    health: dict[str, str]
    seen: list[str]


class Handler(BaseHTTPRequestHandler):
    server: Upstream

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        body = json.dumps(self.server.health).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture(scope="module")
def shared_upstream() -> Iterator[Upstream]:
    server = Upstream(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def upstream(shared_upstream: Upstream) -> Upstream:
    shared_upstream.health, shared_upstream.seen = {"status": "ok"}, []
    return shared_upstream


@pytest.fixture(scope="module")
def shared_proxy(
    shared_upstream: Upstream, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """One Prism for the module (it takes seconds to start)."""
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with prism_proxy(f"http://127.0.0.1:{shared_upstream.server_address[1]}", log) as base:
        yield base, log


@dataclass(frozen=True)
class Proxy:
    base: str
    log: Path
    start: int

    def violations(self) -> list[str]:
        """The violations Prism logged since the test began. Prism logs after it answers, so
        this waits a little for them."""
        deadline = time.monotonic() + LOG_WAIT_SECONDS
        while True:
            found = violations(self.log.read_text()[self.start :])
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


@pytest.fixture
def proxy(shared_proxy: tuple[str, Path]) -> Proxy:
    base, log = shared_proxy
    return Proxy(base, log, len(log.read_text()))


def test_a_conforming_answer_passes_without_violations(upstream: Upstream, proxy: Proxy) -> None:
    response = httpx.get(f"{proxy.base}/health")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert upstream.seen == ["/health"]
    assert proxy.violations() == []


def test_an_answer_that_breaks_the_contract_is_a_violation(
    upstream: Upstream, proxy: Proxy
) -> None:
    upstream.health = {"status": "down"}
    response = httpx.get(f"{proxy.base}/health")

    assert response.status_code == 500
    assert response.json()["type"].endswith("#VIOLATIONS")
    assert proxy.violations() != []


def test_a_request_that_breaks_the_contract_never_reaches_the_app(
    upstream: Upstream, proxy: Proxy
) -> None:
    response = httpx.post(f"{proxy.base}/v1/users", json={"email": "not an address"})

    assert response.status_code == 422
    assert upstream.seen == []
    assert proxy.violations() != []


def test_violations_are_the_warning_and_error_lines() -> None:
    log = [
        "[CLI] start Prism is listening on http://127.0.0.1:4010",
        "[HTTP SERVER] get /health info Request received",
        "[PROXY] info The upstream call to /health has returned 200",
        "[VALIDATOR] \u26a0 warning Violation: response.header.ETag",
        "[HTTP SERVER] get /health \u2716 error Request terminated with error: VIOLATIONS",
    ]
    assert violations("\n".join(log)) == log[3:]
