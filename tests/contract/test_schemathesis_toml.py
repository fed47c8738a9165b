"""schemathesis.toml stays within the contract: each answer it lets a valid request have is one
the operation documents, and only login may refuse valid input with a 401."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from scripts.contract import run_summary

ROOT = Path(__file__).resolve().parents[2]
CONFIG: dict[str, Any] = tomllib.loads((ROOT / "schemathesis.toml").read_text())
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
RESPONSES = {
    operation["operationId"]: set(operation["responses"])
    for item in SPEC["paths"].values()
    for method, operation in item.items()
    if method in run_summary.METHODS
}
# Refusals no valid request with the admin's live token, under unreachable limits, should meet.
NEVER = {"401", "403", "429", "500", "503"}


def allowed() -> list[tuple[str, list[str]]]:
    pairs = []
    for entry in CONFIG["operations"]:
        names = entry["include-operation-id"]
        statuses = entry["checks"]["positive_data_acceptance"]["expected-statuses"]
        for name in [names] if isinstance(names, str) else names:
            pairs.append((name, statuses))
    return pairs


def test_valid_requests_must_succeed_unless_an_operation_says_otherwise() -> None:
    assert CONFIG["checks"]["positive_data_acceptance"]["expected-statuses"] == ["2xx"]


def test_each_operation_is_narrowed_once() -> None:
    names = [name for name, _ in allowed()]

    assert len(names) == len(set(names))


@pytest.mark.parametrize(("operation", "statuses"), allowed())
def test_an_allowed_answer_is_one_the_operation_documents(
    operation: str, statuses: list[str]
) -> None:
    assert operation in RESPONSES
    assert "2xx" in statuses
    assert set(statuses) - {"2xx"} <= RESPONSES[operation]


@pytest.mark.parametrize(("operation", "statuses"), allowed())
def test_refusals_of_valid_input_are_allowed_only_to_login(
    operation: str, statuses: list[str]
) -> None:
    refusals = set(statuses) & NEVER

    assert refusals == ({"401"} if operation == "createSession" else set())
