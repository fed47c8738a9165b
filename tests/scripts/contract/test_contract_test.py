"""The contract run's command line and its verdict (the run itself is `make contract`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts.contract import contract_test

SPEC = {
    "paths": {
        "/v1/jobs/{jobId}": {"get": {"operationId": "getJob", "responses": {"200": {}}}},
        "/v1/later": {"get": {"operationId": "later", "responses": {"501": {}}}},
    }
}


def test_the_command_replays_the_seed_and_leaves_out_what_is_not_served() -> None:
    command = contract_test.schemathesis_command(
        "http://app", seed=123, max_examples=5, skip=contract_test.not_served_yet(SPEC)
    )

    assert command[1:3] == ["run", "http://app/openapi.json"]
    assert command[command.index("--seed") + 1] == "123"
    assert command[command.index("--max-examples") + 1] == "5"
    assert command[command.index("--exclude-operation-id") + 1] == "later"
    assert command[command.index("--report-ndjson-path") + 1] == str(contract_test.NDJSON_REPORT)


def job_answers(*statuses: int) -> list[dict[str, Any]]:
    cases = {
        f"c{number}": {
            "value": {
                "method": "GET",
                "path": "/v1/jobs/{jobId}",
                "meta": {"generation": {"mode": "positive"}},
            }
        }
        for number in range(len(statuses))
    }
    interactions = {
        f"c{number}": {"response": {"status_code": status}}
        for number, status in enumerate(statuses)
    }
    recorder = {"cases": cases, "checks": {}, "interactions": interactions}
    return [
        {"Initialize": {"seed": 9}},
        {"ScenarioFinished": {"phase": "fuzzing", "recorder": recorder}},
    ]


@pytest.mark.parametrize(
    ("statuses", "schemathesis_status", "expected"),
    [((200, 404), 0, 0), ((404, 401), 0, 1), ((404,), 2, 2), ((200,), 1, 1)],
)
def test_the_verdict_fails_an_operation_that_met_only_refusals(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    statuses: tuple[int, ...],
    schemathesis_status: int,
    expected: int,
) -> None:
    report = tmp_path / "events.ndjson"
    report.write_text("".join(json.dumps(event) + "\n" for event in job_answers(*statuses)))
    monkeypatch.setattr(contract_test, "NDJSON_REPORT", report)

    assert contract_test.verdict(schemathesis_status, SPEC, ["later"]) == expected
    printed = capsys.readouterr().out
    assert "seed 9" in printed
    assert ("only 401, 403 or 404 from: getJob" in printed) == (set(statuses) <= {401, 404})


def test_the_verdict_fails_a_run_that_wrote_no_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contract_test, "NDJSON_REPORT", tmp_path / "events.ndjson")

    assert contract_test.verdict(0, SPEC, ["later"]) == 1
    assert contract_test.verdict(3, SPEC, ["later"]) == 3
