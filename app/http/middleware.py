"""Pure ASGI middleware: tracing with an access log, and the request body size limit."""

from __future__ import annotations

import logging
import random
import re
import time

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge
from app.http.envelope import error_response
from app.http.metrics import MetricsEmitter
from app.platform.logging import trace_id_var

logger = logging.getLogger("app.access")

TRACE_HEADER = b"x-amzn-trace-id"
# Trace ids end up in headers and logs; accept only printable, bounded values.
_TRACE_ID = re.compile(r"^[A-Za-z0-9=;:._\-]{1,200}$")


def _trace_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == TRACE_HEADER:
            candidate = str(value.decode("latin-1"))
            if _TRACE_ID.match(candidate):
                return candidate
            break
    # Unique, not secret (it is echoed to the caller): getrandbits spares a syscall per request.
    return f"Root=1-{int(time.time()):08x}-{random.getrandbits(96):024x}"


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
                MutableHeaders(scope=message)["X-Trace-Id"] = trace_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_trace)
        finally:
            operation_id = getattr(scope.get("route"), "operation_id", None)
            latency_ms = round((time.perf_counter() - started) * 1000, 3)
            logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
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
