"""The operations answered with `Cache-Control: no-store` are exactly those the contract says
carry a secret or personal data: whose request or response reaches `x-sensitive: true`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.http.headers import NO_STORE_OPERATIONS, SECRET_PATHS, loggable_path

ROOT = Path(__file__).resolve().parents[2]
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}
MARK = "x-sensitive"


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    return document


def resolve(contract: dict[str, Any], ref: str) -> Any:
    node: Any = contract
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def sensitive(contract: dict[str, Any], node: Any, seen: set[str] | None = None) -> bool:
    """Whether node, or anything it refers to or contains, is marked x-sensitive."""
    seen = set() if seen is None else seen
    if isinstance(node, list):
        return any(sensitive(contract, item, seen) for item in node)
    if not isinstance(node, dict):
        return False
    if node.get(MARK) is True:
        return True
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in seen:
            return False
        seen.add(ref)
        return sensitive(contract, resolve(contract, ref), seen)
    return any(sensitive(contract, value, seen) for key, value in node.items() if key != "links")


def operations(contract: dict[str, Any]) -> dict[str, list[Any]]:
    """Each operation's parts that carry data: parameters, the request body, the responses."""
    found = {}
    for item in contract["paths"].values():
        for method, operation in item.items():
            if method in METHODS:
                parts = [
                    item.get("parameters", []),
                    operation.get("parameters", []),
                    operation.get("requestBody", {}),
                    operation.get("responses", {}),
                ]
                found[operation["operationId"]] = parts
    return found


def test_no_store_is_what_the_contract_marks_sensitive(contract: dict[str, Any]) -> None:
    derived = {
        operation_id
        for operation_id, parts in operations(contract).items()
        if sensitive(contract, parts)
    }
    missing, extra = sorted(derived - NO_STORE_OPERATIONS), sorted(NO_STORE_OPERATIONS - derived)
    assert derived == NO_STORE_OPERATIONS, (
        "app/http/headers.py NO_STORE_OPERATIONS must list exactly the operations whose request "
        f"or response reaches x-sensitive: true in docs/spec.md; missing {missing}, extra {extra}"
    )


def test_the_marks_cover_tokens_and_personal_data(contract: dict[str, Any]) -> None:
    schemas = contract["components"]["schemas"]
    for name in ("Email", "Password", "User", "NewSession", "Session"):
        assert schemas[name].get(MARK) is True, name
    assert not sensitive(contract, schemas["PublicUser"])


def test_the_paths_kept_out_of_the_access_log_are_those_with_a_secret_parameter(
    contract: dict[str, Any],
) -> None:
    derived = set()
    for path, item in contract["paths"].items():
        parameters = list(item.get("parameters", []))
        for method, operation in item.items():
            if method in METHODS:
                parameters += operation.get("parameters", [])
        for parameter in parameters:
            if parameter.get("$ref"):
                parameter = resolve(contract, parameter["$ref"])
            if parameter["in"] == "path" and sensitive(contract, parameter):
                derived.add(path)
    assert derived == SECRET_PATHS, (
        "app/http/headers.py SECRET_PATHS must list exactly the paths with a path parameter "
        "marked x-sensitive: true in docs/spec.md"
    )
    token = "a" * 32
    (template,) = SECRET_PATHS
    assert loggable_path(template.replace("{token}", token)) == template
    assert loggable_path("/v1/posts") == "/v1/posts"
