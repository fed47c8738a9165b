"""The contract run's summary, from NDJSON events shaped as schemathesis 4 writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scripts.contract import run_summary

CHECK = "object_level_authorization"
OPERATIONS = {("GET", "/v1/posts/{postId}"): "getPost", ("GET", "/v1/jobs/{jobId}"): "getJob"}


def case(
    method: str,
    path: str,
    status: int | None,
    *,
    mode: str = "positive",
    failed: int = 0,
    parent: str | None = None,
    transition: dict[str, Any] | None = None,
    identity: str | None = None,
    check: str = "a_check",
) -> dict[str, Any]:
    node: dict[str, Any] = {
        "value": {"method": method, "path": path, "meta": {"generation": {"mode": mode}}}
    }
    if identity is not None:
        node["value"]["auth_identity"] = identity
    if parent is not None:
        node["parent_id"] = parent
    if transition is not None:
        node["transition"] = transition
    checks = [{"name": check, "status": "failure"}] * failed + [
        {"name": "another", "status": "success"}
    ]
    interaction = None if status is None else {"response": {"status_code": status}}
    return {"node": node, "checks": checks, "interaction": interaction}


def scenario(phase: str, *cases: dict[str, Any], is_final: bool = False) -> tuple[str, Any]:
    recorder: dict[str, Any] = {"label": "x", "cases": {}, "checks": {}, "interactions": {}}
    for number, item in enumerate(cases):
        case_id = f"c{number}"
        recorder["cases"][case_id] = item["node"]
        recorder["checks"][case_id] = item["checks"]
        if item["interaction"] is not None:
            recorder["interactions"][case_id] = item["interaction"]
    return "ScenarioFinished", {"phase": phase, "is_final": is_final, "recorder": recorder}


def test_counts_operations_cases_and_failures_per_phase() -> None:
    records = [
        ("Initialize", {"seed": 42}),
        scenario(
            "fuzzing",
            case("GET", "/v1/posts/{postId}", 200),
            case("GET", "/v1/posts/{postId}", 500, failed=2),
            case("GET", "/v1/jobs/{jobId}", 404, failed=1),
        ),
        scenario("stateful", case("GET", "/v1/jobs/{jobId}", 200)),
        ("EngineFinished", {"payload": {"reauth_count": 3}}),
    ]

    summary = run_summary.summarize(records, OPERATIONS)

    assert summary.seed == 42
    assert summary.reauthentications == 3
    fuzzing = summary.phases["fuzzing"]
    assert (fuzzing.operations, fuzzing.cases) == ({"getPost", "getJob"}, 3)
    assert (fuzzing.failed_cases, fuzzing.failed_checks) == (2, 3)
    assert summary.phases["stateful"].cases == 1
    assert dict(summary.statuses["getPost"]["positive"]) == {200: 1, 500: 1}


def test_leaves_out_check_follow_ups_and_reproductions() -> None:
    records = [
        scenario(
            "coverage",
            case("GET", "/v1/posts/{postId}", 200),
            # ignored_auth's request without the token
            case("GET", "/v1/posts/{postId}", 401, parent="c0"),
            # a stateful step follows a link: it counts
            case("GET", "/v1/jobs/{jobId}", 200, parent="c0", transition={"id": "link"}),
        ),
        scenario("coverage", case("GET", "/v1/posts/{postId}", 500), is_final=True),
    ]

    summary = run_summary.summarize(records, OPERATIONS)

    assert summary.phases["coverage"].cases == 2
    assert dict(summary.statuses["getPost"]["positive"]) == {200: 1}
    assert dict(summary.statuses["getJob"]["positive"]) == {200: 1}


def test_counts_the_requests_sent_as_the_peer_and_the_failures_they_found() -> None:
    post = "/v1/posts/{postId}"
    records = [
        scenario(
            "coverage",
            case("GET", post, 200, identity="admin"),
            case("GET", post, 200, parent="c0", identity="author"),
            case("GET", "/v1/posts", 200, parent="c0", identity="author"),
            # the anonymous replay keeps the owner's name
            case("GET", post, 404, parent="c0", identity="admin"),
        ),
        scenario(
            "stateful",
            case("GET", post, 200, identity="admin"),
            case("GET", post, 200, parent="c0", identity="author", failed=1, check=CHECK),
            case("GET", post, 200, parent="c0", transition={"id": "link"}, identity="admin"),
        ),
    ]

    summary = run_summary.summarize(records, OPERATIONS, peer="author")

    assert dict(summary.peer_requests) == {"getPost": 2, "GET /v1/posts": 1}
    assert summary.authorization_failures == 1
    assert not run_summary.unchecked_authorization(summary)
    # the replay's failure is the failure of the case it replayed
    stateful = summary.phases["stateful"]
    assert (stateful.cases, stateful.failed_cases, stateful.failed_checks) == (2, 1, 1)
    assert summary.phases["coverage"].cases == 1
    line = (
        "object_level_authorization: 3 requests as the peer (GET /v1/posts:1 getPost:2), 1 failed"
    )
    assert line in run_summary.render(summary, [])


def test_a_run_without_requests_as_the_peer_checked_no_authorization() -> None:
    records = [scenario("fuzzing", case("GET", "/v1/posts/{postId}", 200, identity="admin"))]

    summary = run_summary.summarize(records, OPERATIONS, peer="author")

    assert run_summary.unchecked_authorization(summary)
    assert "object_level_authorization: 0 requests as the peer (-), 0 failed" in (
        run_summary.render(summary, [])
    )


def test_names_undocumented_methods_by_method_and_path() -> None:
    records = [scenario("coverage", case("TRACE", "/v1/posts/{postId}", 405, mode="negative"))]

    summary = run_summary.summarize(records, OPERATIONS)

    assert dict(summary.statuses["TRACE /v1/posts/{postId}"]["negative"]) == {405: 1}


@pytest.mark.parametrize(
    ("positive", "negative", "is_starved"),
    [
        ([404, 401, 403], [422], True),
        ([], [422, 400], True),
        ([404, 200], [], False),
        ([409], [], False),
    ],
)
def test_starved_when_valid_requests_met_only_refusals(
    positive: list[int], negative: list[int], is_starved: bool
) -> None:
    cases = [case("GET", "/v1/jobs/{jobId}", status) for status in positive] + [
        case("GET", "/v1/jobs/{jobId}", status, mode="negative") for status in negative
    ]
    summary = run_summary.summarize([scenario("fuzzing", *cases)], OPERATIONS)

    assert run_summary.starved(summary, ["getJob"]) == (["getJob"] if is_starved else [])


def test_reads_the_report_file_and_renders_seed_phases_and_statuses(tmp_path: Path) -> None:
    report = tmp_path / "events.ndjson"
    records = [
        ("Initialize", {"seed": 7}),
        scenario(
            "examples", case("GET", "/v1/jobs/{jobId}", 200), case("GET", "/v1/jobs/{jobId}", 404)
        ),
    ]
    report.write_text("".join(json.dumps({name: event}) + "\n" for name, event in records))

    summary = run_summary.summarize(run_summary.events(report), OPERATIONS)
    lines = run_summary.render(summary, ["getJob", "getPost"])

    assert lines[0] == "seed 7 (replay: make contract SEED=7)"
    assert any(line.split() == ["examples", "1", "2", "0", "0"] for line in lines)
    assert any(line.split() == ["getJob", "200:1", "404:1", "|", "-"] for line in lines)
    assert any(line.split() == ["getPost", "-", "|", "-"] for line in lines)


def test_maps_every_operation_of_the_contract() -> None:
    spec = {
        "paths": {
            "/v1/posts/{postId}": {
                "parameters": [],
                "get": {"operationId": "getPost"},
                "patch": {"operationId": "updatePost"},
            }
        }
    }

    assert run_summary.operation_ids(spec) == {
        ("GET", "/v1/posts/{postId}"): "getPost",
        ("PATCH", "/v1/posts/{postId}"): "updatePost",
    }
