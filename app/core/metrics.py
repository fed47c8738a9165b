"""CloudWatch embedded metric format: one JSON line per request, turned into metrics by Logs.

Written straight to stdout rather than through logging, so LOG_LEVEL never drops metrics. One
short write per request to the Lambda log pipe; no buffering to flush at freeze time.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

UNMATCHED = "unmatched"


def emf_record(
    *,
    namespace: str,
    operation_id: str | None,
    status: int,
    latency_ms: float,
    cold_start: bool,
    trace_id: str,
) -> dict[str, Any]:
    """Requests, latency and 5xx count for one request, by operationId."""
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [["operationId"]],
                    "Metrics": [
                        {"Name": "requests", "Unit": "Count"},
                        {"Name": "latencyMs", "Unit": "Milliseconds"},
                        {"Name": "errors5xx", "Unit": "Count"},
                        {"Name": "coldStarts", "Unit": "Count"},
                    ],
                }
            ],
        },
        "operationId": operation_id or UNMATCHED,
        "requests": 1,
        "latencyMs": latency_ms,
        "errors5xx": int(status >= 500),
        "coldStarts": int(cold_start),
        "status": status,
        "coldStart": cold_start,
        "traceId": trace_id,
    }


class MetricsEmitter:
    def __init__(self, *, namespace: str) -> None:
        self.namespace = namespace

    def request(
        self,
        *,
        operation_id: str | None,
        status: int,
        latency_ms: float,
        cold_start: bool,
        trace_id: str,
    ) -> None:
        record = emf_record(
            namespace=self.namespace,
            operation_id=operation_id,
            status=status,
            latency_ms=latency_ms,
            cold_start=cold_start,
            trace_id=trace_id,
        )
        # Looked up per call: the process's stdout, or whatever a test swapped in.
        sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
