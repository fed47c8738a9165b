"""What a schemathesis run did, from the NDJSON report it writes: per phase the operations, test
cases and failures, and per operation the statuses its valid and invalid requests got.

An operation whose valid requests all answered 401, 403 or 404, or that got no valid request
at all, was never tested past authentication or lookup: the run fails for it.
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
    records: Iterable[tuple[str, dict[str, Any]]], operations: Mapping[tuple[str, str], str]
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
    return summary


def _count_scenario(
    summary: RunSummary,
    tally: PhaseTally,
    recorder: dict[str, Any],
    operations: Mapping[tuple[str, str], str],
) -> None:
    interactions = recorder.get("interactions", {})
    checks = recorder.get("checks", {})
    for case_id, node in recorder.get("cases", {}).items():
        # A check's own follow-up request (ignored_auth drops the token, for one) is not a case.
        if node.get("parent_id") and not node.get("transition"):
            continue
        case = node["value"]
        label = operations.get((case["method"], case["path"]), f"{case['method']} {case['path']}")
        failed = sum(check["status"] == "failure" for check in checks.get(case_id, []))
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


def _statuses(counts: Counter[int]) -> str:
    return " ".join(f"{status}:{counts[status]}" for status in sorted(counts)) or "-"


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
    lines.append("statuses per operation (valid requests | invalid requests):")
    for operation in sorted(served):
        modes = summary.statuses[operation]
        lines.append(
            f"  {operation:<22} {_statuses(modes[POSITIVE])} | {_statuses(modes['negative'])}"
        )
    return lines
