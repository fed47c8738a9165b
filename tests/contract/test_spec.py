"""The contract obeys the house rules, and the code implements exactly the contract."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from generated.operations import OPERATIONS

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
METHODS = {"get", "post", "put", "patch", "delete"}
CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
# Outside /v1: the liveness probe, and the sitemap where crawlers look for it (the site's root).
ROOT_PATHS = frozenset({"/health", "/sitemap.xml"})


def operations() -> list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    found = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                found.append((path, method, operation, item.get("parameters", [])))
    return found


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


OPS = operations()
IDS = [op["operationId"] for _, _, op, _ in OPS]


def test_operation_ids_are_unique() -> None:
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize(("path", "method", "operation", "shared"), OPS, ids=IDS)
def test_operation_rules(
    path: str, method: str, operation: dict[str, Any], shared: list[dict[str, Any]]
) -> None:
    declared_tags = {tag["name"] for tag in SPEC["tags"]}
    assert len(operation["tags"]) == 1
    assert operation["tags"][0] in declared_tags
    assert path in ROOT_PATHS or path.startswith("/v1/")
    responses = operation["responses"]
    parameters = [resolve(p) for p in shared + operation.get("parameters", [])]
    secured = operation.get("security", SPEC.get("security")) not in (None, [])
    if secured:
        assert "401" in responses
    if any(p["in"] == "path" for p in parameters):
        assert {"404", "422"} <= set(responses)
    if "requestBody" in operation:
        assert {"400", "413", "415", "422"} <= set(responses)
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert set(schema) == {"$ref"}, "request bodies are named component schemas"
    for status, response in responses.items():
        content = resolve(response).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        if status.startswith(("4", "5")):
            assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}
        elif schema is not None:
            assert set(schema) == {"$ref"}, "responses are named component schemas"
            if path != "/health":
                assert {"success", "data", "error"} <= set(resolve(schema)["properties"])


@pytest.mark.parametrize("name", sorted(SPEC["components"]["schemas"]))
def test_component_schema_rules(name: str) -> None:
    schema = SPEC["components"]["schemas"][name]
    if schema.get("type") != "object":
        return
    if name != "UploadFields":
        assert schema.get("additionalProperties") is False
    for prop, definition in schema.get("properties", {}).items():
        assert CAMEL.match(prop), f"{name}.{prop} is not camelCase"
        assert "enum" not in definition, f"{name}.{prop}: enums are named component schemas"
        assert definition.get("type") != "object", f"{name}.{prop}: objects are named schemas"


def test_the_rate_limited_operations_list_429() -> None:
    from app.platform.cache.store import Store, connect
    from app.platform.ratelimit.policy import WRITES, RateLimits
    from app.settings import Settings

    settings = Settings(token_pepper="p" * 40, redis_url=None)
    store = Store(connect(settings), retry_after_seconds=1)
    per_ip = RateLimits(store, settings).by_ip
    documented = {op["operationId"] for _, _, op, _ in OPS if "429" in op["responses"]}
    assert documented == WRITES | per_ip.keys()


def test_error_codes_cover_every_error_the_service_raises() -> None:
    from app import errors

    codes = set(SPEC["components"]["schemas"]["ErrorCode"]["enum"])
    raised = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.AppError)
    }
    assert raised <= codes


def test_every_handler_is_an_operation() -> None:
    handlers = {spec.handler for spec in OPERATIONS.values()}
    for path in sorted((ROOT / "handlers").glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(f"handlers.{path.stem}")
        for name, member in vars(module).items():
            public = not name.startswith("_")
            if (
                public
                and inspect.iscoroutinefunction(member)
                and member.__module__ == module.__name__
            ):
                assert f"handlers.{path.stem}.{name}" in handlers, f"{name} has no operation"


def test_generated_routes_are_the_contract() -> None:
    from fastapi.routing import APIRoute

    routes = set()
    for path in (ROOT / "generated" / "routers").glob("*.py"):
        router = importlib.import_module(f"generated.routers.{path.stem}").router
        routes |= {
            (method, route.path, route.operation_id)
            for route in router.routes
            if isinstance(route, APIRoute)
            for method in route.methods or ()
        }
    expected = {(method.upper(), path, op["operationId"]) for path, method, op, _ in OPS}
    # HEAD is implicit (RFC 9110): the contract leaves it out, and each GET route answers it.
    expected |= {("HEAD", path, op_id) for method, path, op_id in expected if method == "GET"}
    assert routes == expected


def test_prose_lists_exactly_the_operations_not_served_yet() -> None:
    prose = (ROOT / "docs" / "spec.md").read_text()
    answering_501 = {op["operationId"] for _, _, op, _ in OPS if "501" in op["responses"]}
    if "## Not implemented yet" not in prose:
        assert answering_501 == set()
        return
    section = prose.split("## Not implemented yet", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"`([a-z][A-Za-z]+)`", section)) == answering_501
