"""A real webhook receiver on loopback, and settings that let deliveries reach it.

The receiver is an HTTP server in a thread. Each path behaves as one kind of receiver does:
/ok verifies the Standard Webhooks signature with the reference library (Webhook.verify) and
answers 204, or 401 when it does not verify; /fail answers 500; /slow answers only once the
test ends (past any timeout); /redirect answers 307 to /ok; /recover fails its first two
requests, then behaves as /ok; /big answers 5 KiB. Every request is recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.settings import Settings


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: str
    verified: bool


@dataclass
class Receiver:
    port: int
    secrets: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, *, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def verify(self, body: str, headers: dict[str, str]) -> bool:
        """Whether any secret the test gave verifies the delivery, as a receiver checks it."""
        for secret in self.secrets:
            try:
                StandardWebhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            return True
        return False

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length).decode()
            headers = {k.lower(): v for k, v in self.headers.items()}
            verified = receiver.verify(body, headers)
            with receiver.lock:
                receiver.received.append(Received(self.path, headers, body, verified))
                seen = sum(1 for r in receiver.received if r.path == self.path)
            if self.path == "/slow":
                receiver.release.wait(30)
                self._answer(204)
            elif self.path == "/fail" or (self.path == "/recover" and seen <= 2):
                self._answer(500, b"Internal Server Error")
            elif self.path == "/redirect":
                self.send_response(307)
                self.send_header("location", "/ok")
                self.send_header("content-length", "0")
                self.end_headers()
            elif self.path == "/big":
                self._answer(200, b"x" * 5120)
            else:
                self._answer(204 if verified else 401)

        def _answer(self, status: int, body: bytes = b"") -> None:
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver(port=0)))
    made = Receiver(port=server.server_address[1])
    server.RequestHandlerClass = _handler(made)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield made
    made.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test's settings, with loopback allowed and short waits: a retry schedule of seconds,
    which the tests' clock steps over, and a 0.5 s timeout for the receiver that never answers.
    """
    return settings.model_copy(
        update={
            "webhooks_allow_private_targets": True,
            "webhooks_timeout_seconds": 0.5,
            "webhooks_retry_schedule_seconds": (1, 2),
        }
    )


class Clock:
    """Datetimes from just after real now, moved only by the test: the events a test emits are
    due at once, and webhook timestamps stay within the five minutes a receiver accepts."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(seconds=5)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()
