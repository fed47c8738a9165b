"""Every example in the contract is valid against its schema, and every operation has examples.

Examples are what Swagger UI shows and what Schemathesis' examples phase sends, so a wrong one
misleads consumers and tests the server with a request the contract does not describe.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
BASE = "urn:blog-api:openapi"
METHODS = {"get", "post", "put", "patch", "delete"}
FORMATS = Draft202012Validator.FORMAT_CHECKER
# Keywords whose value is a schema, a map of schemas or a list of schemas (JSON Schema 2020-12).
ONE_SCHEMA = {"items", "additionalProperties", "not", "contains", "propertyNames"}
ONE_SCHEMA |= {"if", "then", "else", "unevaluatedItems", "unevaluatedProperties"}
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}
SCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}


@dataclass(frozen=True, slots=True)
class Example:
    pointer: str  # where the value is written
    used_at: str  # the object that shows it
    schema: str  # the pointer of the schema it must match
    value: Any


def child(pointer: str, *keys: str | int) -> str:
    for key in keys:
        pointer += "/" + str(key).replace("~", "~0").replace("/", "~1")
    return pointer


def lookup(spec: dict[str, Any], pointer: str) -> Any:
    node: Any = spec
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def resolved(spec: dict[str, Any], pointer: str, node: Any) -> tuple[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"].removeprefix("#")
        node = lookup(spec, pointer)
    return pointer, node


def schema_examples(schema: Any, pointer: str) -> Iterator[Example]:
    if not isinstance(schema, dict):
        return
    for value in schema.get("examples", []):
        yield Example(child(pointer, "examples"), pointer, pointer, value)
    if "example" in schema:
        yield Example(child(pointer, "example"), pointer, pointer, schema["example"])
    for key, sub in schema.items():
        if key in ONE_SCHEMA:
            yield from schema_examples(sub, child(pointer, key))
        elif key in SCHEMA_MAPS:
            for name, item in sub.items():
                yield from schema_examples(item, child(pointer, key, name))
        elif key in SCHEMA_LISTS:
            for index, item in enumerate(sub):
                yield from schema_examples(item, child(pointer, key, index))


def carrier_examples(spec: dict[str, Any], obj: dict[str, Any], pointer: str) -> Iterator[Example]:
    """The examples of a media type, parameter or header object, named examples resolved."""
    if "$ref" in obj or "schema" not in obj:
        return
    schema = child(pointer, "schema")
    if "example" in obj:
        yield Example(child(pointer, "example"), pointer, schema, obj["example"])
    for name, entry in obj.get("examples", {}).items():
        used_at = child(pointer, "examples", name)
        where, example = resolved(spec, used_at, entry)
        if "value" in example:
            yield Example(child(where, "value"), used_at, schema, example["value"])
    yield from schema_examples(obj["schema"], schema)


def carriers(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every media type, parameter and header object in the document, with its pointer."""

    def of_response(pointer: str, response: dict[str, Any]) -> Iterator[tuple[str, Any]]:
        for name, header in response.get("headers", {}).items():
            yield child(pointer, "headers", name), header
        for media_type, content in response.get("content", {}).items():
            yield child(pointer, "content", media_type), content

    components = spec.get("components", {})
    for kind in ("parameters", "headers"):
        for name, obj in components.get(kind, {}).items():
            yield child("", "components", kind, name), obj
    for name, response in components.get("responses", {}).items():
        yield from of_response(child("", "components", "responses", name), response)
    for name, body in components.get("requestBodies", {}).items():
        for media_type, content in body.get("content", {}).items():
            yield child("", "components", "requestBodies", name, "content", media_type), content
    # The top-level `webhooks` holds the requests this service sends: checked as paths are.
    items = [("paths", path, item) for path, item in spec["paths"].items()]
    items += [("webhooks", name, item) for name, item in spec.get("webhooks", {}).items()]
    for section, path, item in items:
        for index, parameter in enumerate(item.get("parameters", [])):
            yield child("", section, path, "parameters", index), parameter
        for method, operation in item.items():
            if method not in METHODS:
                continue
            at = child("", section, path, method)
            for index, parameter in enumerate(operation.get("parameters", [])):
                yield child(at, "parameters", index), parameter
            for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
                yield child(at, "requestBody", "content", media_type), content
            for status, response in operation["responses"].items():
                yield from of_response(child(at, "responses", status), response)


def examples(spec: dict[str, Any]) -> Iterator[Example]:
    for pointer, obj in carriers(spec):
        yield from carrier_examples(spec, obj, pointer)
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        yield from schema_examples(schema, child("", "components", "schemas", name))


def example_errors(spec: dict[str, Any]) -> list[str]:
    registry: Registry[Any] = Registry().with_resource(
        BASE, Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    problems = []
    for example in examples(spec):
        schema = {"$ref": f"{BASE}#{quote(example.schema, safe='/~')}"}
        validator = Draft202012Validator(schema, registry=registry, format_checker=FORMATS)
        for error in validator.iter_errors(example.value):
            shown = "" if example.used_at in example.pointer else f", shown at {example.used_at}"
            problems.append(f"{example.pointer}: {error.message} (at {error.json_path}{shown})")
    return problems


def operations() -> list[tuple[str, dict[str, Any]]]:
    return [
        (child("", "paths", path, method), operation)
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


OPERATIONS = operations()
IDS = [operation["operationId"] for _, operation in OPERATIONS]


def has_example(content: dict[str, Any]) -> bool:
    return "example" in content or bool(content.get("examples"))


def test_the_format_checker_checks_the_formats_the_examples_use() -> None:
    # Without rfc3339-validator, jsonschema silently accepts any date-time.
    assert {"date-time", "uuid", "email"} <= set(FORMATS.checkers)


def test_every_example_is_valid_against_its_schema() -> None:
    assert example_errors(SPEC) == []


def test_the_check_sees_schema_and_named_examples() -> None:
    pointers = {example.pointer for example in examples(SPEC)}
    assert "/components/examples/Post/value" in pointers
    assert "/components/parameters/PostId/examples/HelloWorld/value" in pointers
    assert "/components/headers/RateLimit/schema/examples" in pointers


def broken(pointer: str, key: str, value: Any = None) -> dict[str, Any]:
    """A copy of the contract with `key` of the object at `pointer` set, or removed if None."""
    spec = copy.deepcopy(SPEC)
    parent = lookup(spec, pointer)
    if value is None:
        del parent[key]
    else:
        parent[key] = value
    return spec


@pytest.mark.parametrize(
    ("spec", "pointer", "problem"),
    [
        (
            broken("/components/examples/Post/value", "error"),
            "/components/examples/Post/value",
            "'error' is a required property",
        ),
        (
            broken("/components/examples/Post/value/data", "title", "x" * 201),
            "/components/examples/Post/value",
            "is too long (at $.data.title",
        ),
        (
            broken("/components/examples/Sessions/value/data/0", "expiresAt", "next month"),
            "/components/examples/Sessions/value",
            "'next month' is not a 'date-time'",
        ),
        (
            broken("/components/examples/NewUser/value", "role", "admin"),
            "/components/examples/NewUser/value",
            "Additional properties are not allowed ('role' was unexpected)",
        ),
        (
            broken("/components/parameters/PostId/examples/HelloWorld", "value", "hello-world"),
            "/components/parameters/PostId/examples/HelloWorld/value",
            "'hello-world' is not a 'uuid'",
        ),
        (
            broken("/components/headers/RateLimit/schema", "examples", ["login-ip;r=0"]),
            "/components/headers/RateLimit/schema/examples",
            "does not match",
        ),
    ],
    ids=[
        "envelope-without-error",
        "title-too-long",
        "bad-date-time",
        "extra-field",
        "bad-uuid",
        "schema-examples",
    ],
)
def test_a_wrong_example_fails_naming_its_pointer(
    spec: dict[str, Any], pointer: str, problem: str
) -> None:
    problems = example_errors(spec)
    assert any(p.startswith(f"{pointer}: ") and problem in p for p in problems), problems


def test_a_referenced_example_names_where_it_is_shown() -> None:
    spec = broken("/components/examples/ViewCount/value", "success", False)
    shown = "/paths/~1v1~1posts~1{postId}~1views/post/responses/200/content/application~1json"
    assert any(shown in problem for problem in example_errors(spec))


@pytest.mark.parametrize(("pointer", "operation"), OPERATIONS, ids=IDS)
def test_every_operation_has_request_and_response_examples(
    pointer: str, operation: dict[str, Any]
) -> None:
    missing = []
    for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
        if not has_example(content):
            missing.append(child(pointer, "requestBody", "content", media_type))
    for status, response in operation["responses"].items():
        at, response = resolved(SPEC, child(pointer, "responses", status), response)
        for media_type, content in response.get("content", {}).items():
            if not has_example(content):
                missing.append(child(at, "content", media_type))
    assert missing == []


@pytest.mark.parametrize(("pointer", "operation"), OPERATIONS, ids=IDS)
def test_every_path_parameter_has_an_example(pointer: str, operation: dict[str, Any]) -> None:
    shared = pointer.rsplit("/", 1)[0]
    for owner, node in ((shared, lookup(SPEC, shared)), (pointer, operation)):
        for index, parameter in enumerate(node.get("parameters", [])):
            at, parameter = resolved(SPEC, child(owner, "parameters", index), parameter)
            if parameter["in"] == "path":
                assert has_example(parameter), at


def test_every_component_example_is_shown_somewhere() -> None:
    shown = {example.pointer for example in examples(SPEC)}
    defined = {
        child("", "components", "examples", name, "value")
        for name in SPEC.get("components", {}).get("examples", {})
    }
    assert defined - shown == set()
