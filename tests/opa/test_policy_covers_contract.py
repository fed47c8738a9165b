"""Every operationId in the contract has an explicit decision, and nothing more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from app.platform.authz import ENTRYPOINT
from app.platform.authz.opa import OpaPolicy
from tests.helpers import unavailable

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec/openapi.yaml"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _contract_operations() -> set[str]:
    if not SPEC.exists():
        unavailable(f"{SPEC.relative_to(ROOT)} not generated yet (make gen); nothing to compare")
    spec: dict[str, Any] = yaml.safe_load(SPEC.read_text())
    return {
        operation["operationId"]
        for item in spec.get("paths", {}).values()
        for method, operation in item.items()
        if method in METHODS and "operationId" in operation
    }


def test_policy_decides_every_contract_operation() -> None:
    contract = _contract_operations()
    policy = OpaPolicy.load(ROOT / "opa/build")
    listed = set(policy.eval("blog/authz/operations", None))
    undecided = {
        op
        for op in contract
        if policy.eval(ENTRYPOINT, {"operation": op, "subject": None, "resource": None})["reason"]
        == "unknown operation"
    }
    assert not undecided, f"operations without a policy rule: {sorted(undecided)}"
    assert contract - listed == set(), "contract operations missing from the policy table"
    assert listed - contract == set(), "policy rules for operations not in the contract"
