"""Pure ASGI middleware: tracing with an access log, the request body size limit, the client
address behind trusted proxies, and the headers every response carries."""

from __future__ import annotations

import functools
import ipaddress
import logging
import random
import re
import time
from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge
from app.http.envelope import error_response
from app.http.headers import loggable_path, no_store
from app.http.metrics import MetricsEmitter
from app.platform.logging import trace_id_var

logger = logging.getLogger("app.access")

TRACE_HEADER = b"x-amzn-trace-id"
TRACE_RESPONSE_HEADER = b"x-trace-id"
Header = tuple[bytes, bytes]
# Trace ids end up in headers and logs; accept only printable, bounded values.
_TRACE_ID = re.compile(r"^[A-Za-z0-9=;:._\-]{1,200}$")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _trace_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == TRACE_HEADER:
            candidate = str(value.decode("latin-1"))
            if _TRACE_ID.match(candidate):
                return candidate
            break
    # Unique, not secret (it is echoed to the caller): getrandbits spares a syscall per request.
    return f"Root=1-{int(time.time()):08x}-{random.getrandbits(96):024x}"


def _with_trace_header(headers: Iterable[tuple[bytes, bytes]], trace_id: str) -> list[Header]:
    """The headers with X-Trace-Id set to trace_id, replacing one an error answer already has:
    what MutableHeaders does, without building one per response."""
    pair = (TRACE_RESPONSE_HEADER, trace_id.encode("latin-1"))
    listed = list(headers)
    for index, (name, _) in enumerate(listed):
        if name == TRACE_RESPONSE_HEADER:
            listed[index] = pair
            return listed
    listed.append(pair)
    return listed


class TraceMiddleware:
    """Sets the trace id, echoes it as X-Trace-Id, and writes one access log line per request.

    With a metrics emitter, each request also becomes an embedded-metric record. The first
    request this app instance serves (one instance per process) is flagged as the cold start;
    readiness probes on probe_path, which always come first, neither carry nor spend the flag.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: MetricsEmitter | None = None,
        probe_path: str | None = "/health",
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.probe_path = probe_path
        self.cold = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace_id = _trace_id(scope)
        trace_id_var.set(trace_id)
        scope.setdefault("state", {})["trace_id"] = trace_id
        started = time.perf_counter()
        status = 500
        cold_start = False
        if scope["path"] != self.probe_path:
            cold_start, self.cold = self.cold, False

        async def send_with_trace(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = _with_trace_header(message.get("headers", ()), trace_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_trace)
        finally:
            operation_id = getattr(scope.get("route"), "operation_id", None)
            latency_ms = round((time.perf_counter() - started) * 1000, 3)
            # The line's fields cost more than the rest of a cached read's bookkeeping: built
            # only when the level keeps the line.
            if logger.isEnabledFor(logging.INFO):
                logger.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        "path": loggable_path(scope["path"]),
                        "operationId": operation_id,
                        "status": status,
                        "latencyMs": latency_ms,
                        "coldStart": cold_start,
                    },
                )
            if self.metrics is not None:
                self.metrics.request(
                    operation_id=operation_id,
                    status=status,
                    latency_ms=latency_ms,
                    cold_start=cold_start,
                    trace_id=trace_id,
                )


class BodyLimitMiddleware:
    """Refuses request bodies over the limit with 413, whether announced or streamed."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await error_response(PayloadTooLarge())(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413)
            return message

        await self.app(scope, limited_receive, send)


def _address(entry: str) -> str:
    """One X-Forwarded-For entry's address, canonical when it is an IP (ports dropped)."""
    entry = entry.strip()
    if entry.startswith("[") and "]" in entry:
        entry = entry[1 : entry.index("]")]
    elif entry.count(":") == 1:
        entry = entry.partition(":")[0]
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return entry


class ClientAddressMiddleware:
    """The client address that rate limits and anonymous Idempotency-Keys count: the peer, or
    behind trusted proxies the right-most X-Forwarded-For entry that is not one of them.

    Each proxy appends the address it received the request from, so entries to the right of the
    last untrusted one were written by trusted proxies, and anything to its left by the client
    itself: API Gateway appends the real peer, so a made-up left-most entry changes nothing.
    uvicorn runs with --no-proxy-headers, so this is the only rule (docs/infra.md).
    """

    def __init__(self, app: ASGIApp, *, trusted: tuple[Network, ...]) -> None:
        self.app = app
        self.trusted = trusted
        # Every request asks about its peer, and the peers are a handful of proxies.
        self._trusts = functools.lru_cache(maxsize=1024)(self._parse_and_trust)

    def _parse_and_trust(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def client_of(self, forwarded_for: str) -> str | None:
        """The client's address in an X-Forwarded-For value from a trusted peer."""
        entries = [_address(e) for e in forwarded_for.split(",") if e.strip()]
        for address in reversed(entries):
            if not self._trusts(address):
                return address
        # Every hop is a trusted proxy: the farthest one is as close to the client as it gets.
        return entries[0] if entries else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and self._trusts(client[0]):
            values = [v.decode("latin-1") for n, v in scope["headers"] if n == b"x-forwarded-for"]
            address = self.client_of(",".join(values)) if values else None
            if address is not None:
                scope["client"] = (address, 0)
        await self.app(scope, receive, send)


_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_STORE = (b"cache-control", b"no-store")


class SecurityHeadersMiddleware:
    """Headers every response carries: `X-Content-Type-Options: nosniff`, and
    `Cache-Control: no-store` on the operations whose answers carry a token or personal data
    (app/http/headers.py), whatever answered: a route, the cached-read fast path, a replay."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Nothing else in the app sets either header, so appending the raw pairs is the
                # same as setting them, without rebuilding the header list on every answer.
                extra = [_NOSNIFF]
                if no_store(getattr(scope.get("route"), "operation_id", None)):
                    extra.append(_NO_STORE)
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
