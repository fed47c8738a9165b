"""CloudWatch embedded metric format: one JSON line per request, turned into metrics by Logs.

Written straight to stdout rather than through logging, so LOG_LEVEL never drops metrics. One
short write per request to the Lambda log pipe; no buffering to flush at freeze time.
"""

from __future__ import annotations

import json
import sys
import time
from json.encoder import encode_basestring

UNMATCHED = "unmatched"
METRICS = (
    ("requests", "Count"),
    ("latencyMs", "Milliseconds"),
    ("errors5xx", "Count"),
    ("coldStarts", "Count"),
)


class MetricsEmitter:
    """Requests, latency and 5xx count per request, by operationId.

    The line is formatted around a directive encoded once: it is written on every request, and
    encoding the whole record each time costs more than the rest of a cached read's bookkeeping.
    """

    def __init__(self, *, namespace: str) -> None:
        self.namespace = namespace
        directive = {
            "Namespace": namespace,
            "Dimensions": [["operationId"]],
            "Metrics": [{"Name": name, "Unit": unit} for name, unit in METRICS],
        }
        self._directive = json.dumps([directive], separators=(",", ":"))
        # The encoded operation name, per operation: a handful, looked up on every request.
        self._operations: dict[str | None, str] = {}

    def line(
        self,
        *,
        operation_id: str | None,
        status: int,
        latency_ms: float,
        cold_start: bool,
        trace_id: str,
        timestamp_ms: int,
    ) -> str:
        operation = self._operations.get(operation_id)
        if operation is None:
            operation = self._operations[operation_id] = encode_basestring(
                operation_id or UNMATCHED
            )
        return (
            f'{{"_aws":{{"Timestamp":{timestamp_ms},"CloudWatchMetrics":{self._directive}}},'
            f'"operationId":{operation},"requests":1,'
            f'"latencyMs":{float(latency_ms)!r},"errors5xx":{int(status >= 500)},'
            f'"coldStarts":{int(cold_start)},"status":{int(status)},'
            f'"coldStart":{"true" if cold_start else "false"},'
            f'"traceId":{encode_basestring(trace_id)}}}\n'
        )

    def request(
        self,
        *,
        operation_id: str | None,
        status: int,
        latency_ms: float,
        cold_start: bool,
        trace_id: str,
    ) -> None:
        line = self.line(
            operation_id=operation_id,
            status=status,
            latency_ms=latency_ms,
            cold_start=cold_start,
            trace_id=trace_id,
            timestamp_ms=int(time.time() * 1000),
        )
        # Looked up per call: the process's stdout, or whatever a test swapped in.
        sys.stdout.write(line)
