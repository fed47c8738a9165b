"""What a schemathesis run did, from the NDJSON report it writes: per phase the operations, test
cases and failures, per operation the statuses its valid and invalid requests got, and the
requests object_level_authorization sent as the peer identity.

An operation whose valid requests all answered 401, 403 or 404, or that got no valid request
at all, was never tested past authentication or lookup: the run fails for it. So does a run in
which object_level_authorization sent nothing as the peer: the check passes every case it
returns early on, so its successes alone say nothing.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

METHODS = frozenset({"get", "put", "post", "patch", "delete"})
REFUSALS = frozenset({401, 403, 404})
POSITIVE = "positive"
OBJECT_LEVEL_AUTHORIZATION = "object_level_authorization"


@dataclass
class PhaseTally:
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    failed_cases: int = 0
    failed_checks: int = 0


@dataclass
class RunSummary:
    seed: int | None = None
    reauthentications: int = 0
    phases: dict[str, PhaseTally] = field(default_factory=dict)
    # operation -> generation mode ("positive" or "negative") -> status -> how many
    statuses: defaultdict[str, defaultdict[str, Counter[int]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Counter))
    )
    # operation -> requests the check sent as the peer (the owner's reads and the lists it checks)
    peer_requests: Counter[str] = field(default_factory=Counter)
    authorization_failures: int = 0


def operation_ids(spec: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """(METHOD, path template) -> operationId for every operation of an OpenAPI document."""
    return {
        (method.upper(), path): operation["operationId"]
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def events(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                [(name, event)] = json.loads(line).items()
                yield name, event


def summarize(
    records: Iterable[tuple[str, dict[str, Any]]],
    operations: Mapping[tuple[str, str], str],
    peer: str | None = None,
) -> RunSummary:
    summary = RunSummary()
    for name, event in records:
        if name == "Initialize":
            summary.seed = event.get("seed")
        elif name == "EngineFinished":
            summary.reauthentications = (event.get("payload") or {}).get("reauth_count", 0)
        elif name == "ScenarioFinished" and not event.get("is_final"):
            tally = summary.phases.setdefault(event["phase"], PhaseTally())
            _count_scenario(summary, tally, event["recorder"], operations)
            _count_peer_requests(summary, event["recorder"], operations, peer)
    return summary


def _label(case: Mapping[str, Any], operations: Mapping[tuple[str, str], str]) -> str:
    return operations.get((case["method"], case["path"]), f"{case['method']} {case['path']}")


def _count_peer_requests(
    summary: RunSummary,
    recorder: dict[str, Any],
    operations: Mapping[tuple[str, str], str],
    peer: str | None,
) -> None:
    for node in recorder.get("cases", {}).values():
        case = node["value"]
        if peer is not None and _is_follow_up(node) and case.get("auth_identity") == peer:
            summary.peer_requests[_label(case, operations)] += 1
    summary.authorization_failures += sum(
        check["name"] == OBJECT_LEVEL_AUTHORIZATION and check["status"] == "failure"
        for checks in recorder.get("checks", {}).values()
        for check in checks
    )


def _is_follow_up(node: Mapping[str, Any]) -> bool:
    return bool(node.get("parent_id")) and not node.get("transition")


def _count_scenario(
    summary: RunSummary,
    tally: PhaseTally,
    recorder: dict[str, Any],
    operations: Mapping[tuple[str, str], str],
) -> None:
    interactions = recorder.get("interactions", {})
    cases = recorder.get("cases", {})
    failures: Counter[str] = Counter()
    for case_id, checks in recorder.get("checks", {}).items():
        node = cases.get(case_id) or {}
        # What a check's own follow-up request found is a failure of the case it followed.
        owner = node["parent_id"] if _is_follow_up(node) else case_id
        failures[owner] += sum(check["status"] == "failure" for check in checks)
    for case_id, node in cases.items():
        # A check's own follow-up request (ignored_auth drops the token, for one) is not a case.
        if _is_follow_up(node):
            continue
        case = node["value"]
        label = _label(case, operations)
        failed = failures[case_id]
        tally.operations.add(label)
        tally.cases += 1
        tally.failed_cases += failed > 0
        tally.failed_checks += failed
        response = (interactions.get(case_id) or {}).get("response")
        if response is not None:
            mode = ((case.get("meta") or {}).get("generation") or {}).get("mode", "unknown")
            summary.statuses[label][mode][response["status_code"]] += 1


def starved(summary: RunSummary, served: Iterable[str]) -> list[str]:
    """The served operations whose valid requests got nothing but 401, 403 and 404."""
    return [
        operation
        for operation in sorted(served)
        if set(summary.statuses[operation][POSITIVE]) <= REFUSALS
    ]


def unchecked_authorization(summary: RunSummary) -> bool:
    """Whether object_level_authorization never got as far as a request as the peer."""
    return not summary.peer_requests


def _statuses(counts: Counter[int]) -> str:
    return " ".join(f"{status}:{counts[status]}" for status in sorted(counts)) or "-"


def _statuses_by_name(counts: Counter[str]) -> str:
    return " ".join(f"{name}:{counts[name]}" for name in sorted(counts)) or "-"


def render(summary: RunSummary, served: Iterable[str]) -> list[str]:
    lines = [f"seed {summary.seed} (replay: make contract SEED={summary.seed})"]
    lines.append(f"{'phase':<10} {'operations':>10} {'cases':>7} {'failed':>7} {'checks':>7}")
    for phase, tally in summary.phases.items():
        lines.append(
            f"{phase:<10} {len(tally.operations):>10} {tally.cases:>7}"
            f" {tally.failed_cases:>7} {tally.failed_checks:>7}"
        )
    lines.append("(failed: test cases with a failure; checks: failed checks)")
    lines.append(f"re-authentications after a 401: {summary.reauthentications}")
    replays = _statuses_by_name(summary.peer_requests)
    lines.append(
        f"{OBJECT_LEVEL_AUTHORIZATION}: {sum(summary.peer_requests.values())} requests as the"
        f" peer ({replays}), {summary.authorization_failures} failed"
    )
    lines.append("statuses per operation (valid requests | invalid requests):")
    for operation in sorted(served):
        modes = summary.statuses[operation]
        lines.append(
            f"  {operation:<22} {_statuses(modes[POSITIVE])} | {_statuses(modes['negative'])}"
        )
    return lines
