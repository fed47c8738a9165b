"""CloudWatch embedded metric format: each request is one JSON line, whatever its values."""

from __future__ import annotations

import json

import pytest

from app.http.metrics import MetricsEmitter


@pytest.mark.parametrize(
    ("operation_id", "status", "latency_ms", "cold_start", "trace_id"),
    [
        ("getPost", 200, 0.123, False, "Root=1-6b07ec77-33cc69fdb875448789d9a059"),
        (None, 503, 12.0, True, 'quote " back\\slash \n newline \u00e9'),
        ("listPosts", 599, 1e-05, False, ""),
    ],
)
def test_a_metric_line_is_one_json_record(
    operation_id: str | None, status: int, latency_ms: float, cold_start: bool, trace_id: str
) -> None:
    line = MetricsEmitter(namespace='Name "quoted"').line(
        operation_id=operation_id,
        status=status,
        latency_ms=latency_ms,
        cold_start=cold_start,
        trace_id=trace_id,
        timestamp_ms=1_795_681_400_087,
    )

    assert line.endswith("}\n")
    assert line.count("\n") == 1
    record = json.loads(line)
    assert record["_aws"]["Timestamp"] == 1_795_681_400_087
    assert record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == 'Name "quoted"'
    assert record["operationId"] == (operation_id or "unmatched")
    assert (record["status"], record["latencyMs"], record["traceId"]) == (
        status,
        latency_ms,
        trace_id,
    )
    assert (record["coldStart"], record["coldStarts"]) == (cold_start, int(cold_start))
    assert record["errors5xx"] == int(status >= 500)
    assert record["requests"] == 1
