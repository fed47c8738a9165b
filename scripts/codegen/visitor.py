"""A fastapi-code-generator visitor: each operation's typed signature, for the templates.

The generator's own arguments carry mangled names (`if__none__match`) and, with
`--use-annotated`, lose the parameters' constraints; this visitor reads both from the contract.
It gives the templates, per operation, the route's parameters (clean names, `Annotated` with
the FastAPI source, alias and constraints), the handler's (the same names with plain types), the
type the handler returns, the route's own (its models named through the package, `models.X`),
and per tag the model names it uses.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from fastapi_code_generator.parser import OpenAPIParser, Operation, snakecase

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
LOCATIONS = {"path": "Path", "query": "Query", "header": "Header", "cookie": "Cookie"}
# JSON Schema keyword → the FastAPI parameter's keyword.
CONSTRAINTS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "multipleOf": "multiple_of",
}
IDEMPOTENCY_KEY = "Idempotency-Key"
# A declared 304 means the handler answers a pre-rendered representation or "not modified".
RAW_RESPONSE_STATUS = "304"
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A string literal (left as it is) or a name.
_LITERAL_OR_NAME = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*""")


def python_name(name: str) -> str:
    """`If-None-Match` → `if_none_match`, `postId` → `post_id`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


class Param(NamedTuple):
    name: str
    annotation: str  # as the handler sees it
    route: str  # the route function's parameter declaration
    idempotency_key: bool = False


class Signature(NamedTuple):
    params: tuple[Param, ...]
    returns: str

    @property
    def handler_params(self) -> tuple[Param, ...]:
        """The request context runs an operation once per Idempotency-Key; handlers never see it."""
        return tuple(p for p in self.params if not p.idempotency_key)

    @property
    def idempotency_key(self) -> Param | None:
        return next((p for p in self.params if p.idempotency_key), None)


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _raw_parameters(document: dict[str, Any], path: str, method: str) -> list[dict[str, Any]]:
    """The operation's parameters, path-level ones included, the operation's winning."""
    item = document["paths"][path]
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*item.get("parameters", []), *item[method].get("parameters", [])]:
        parameter = _resolve(document, raw)
        merged[(parameter["name"], parameter["in"])] = parameter
    return list(merged.values())


def _field_arguments(parameter: dict[str, Any], schema: dict[str, Any], name: str) -> str:
    arguments = [] if parameter["name"] == name else [f"alias={parameter['name']!r}"]
    arguments += [
        f"{keyword}={schema[key]!r}" for key, keyword in CONSTRAINTS.items() if key in schema
    ]
    return ", ".join(arguments)


def route_param(document: dict[str, Any], parameter: dict[str, Any], type_hint: str) -> Param:
    name = python_name(parameter["name"])
    schema = _resolve(document, parameter.get("schema", {}))
    required = parameter.get("required", False) or parameter["in"] == "path"
    has_default = "default" in schema
    annotation = type_hint if required or has_default else f"{type_hint} | None"
    source = f"{LOCATIONS[parameter['in']]}({_field_arguments(parameter, schema, name)})"
    route = f"{name}: Annotated[{annotation}, {source}]"
    if not required:
        route += f" = {schema['default']!r}" if has_default else " = None"
    return Param(
        name=name,
        annotation=annotation,
        route=route,
        idempotency_key=parameter["in"] == "header" and parameter["name"] == IDEMPOTENCY_KEY,
    )


def signature(parser: OpenAPIParser, operation: Operation, raw_path: str) -> Signature:
    document: dict[str, Any] = parser.raw_obj
    # Keyed as the generator names its arguments, to pair each with its parameter.
    raw_parameters = {
        snakecase(parser.model_resolver.get_valid_field_name(parameter["name"])): parameter
        for parameter in _raw_parameters(document, raw_path, operation.method)
    }
    params = []
    for argument in operation.arguments_list:
        type_hint = str(
            argument.field.data_type.type_hint if argument.field else argument.type_hint
        )
        if argument.name in raw_parameters:
            params.append(route_param(document, raw_parameters[argument.name], type_hint))
        else:  # the request body
            annotation = type_hint if argument.required else f"{type_hint} | None"
            default = "" if argument.required else " = None"
            params.append(
                Param(argument.name, annotation, f"{argument.name}: {annotation}{default}")
            )
    raw_response = RAW_RESPONSE_STATUS in {str(status) for status in operation.responses}
    return Signature(tuple(params), "Response" if raw_response else operation.response or "None")


def qualified(text: str, models: set[str]) -> str:
    """The text with each model's name read from the models package: `body: PostCreate` →
    `body: models.PostCreate`. Routes name their models so, and a model's module loads when its
    route is built (scripts/codegen/split_models.py)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group()
        after_dot = match.start() > 0 and text[match.start() - 1] == "."
        return f"models.{name}" if name in models and not after_dot else name

    return _LITERAL_OR_NAME.sub(replace, text)


def route_signature(found: Signature, models: set[str]) -> Signature:
    """The signature as the route declares it: its models named through the package."""
    params = tuple(p._replace(route=qualified(p.route, models)) for p in found.params)
    return Signature(params, qualified(found.returns, models))


def get_signatures(parser: OpenAPIParser, model_path: Path) -> dict[str, object]:
    document: dict[str, Any] = parser.raw_obj
    raw_paths = {f"/{path.lstrip('/')}": path for path in document["paths"]}
    signatures: dict[str, Signature] = {}
    routes: dict[str, Signature] = {}
    model_names: dict[str, set[str]] = {}
    known = {result.class_name for result in parser.results}
    for operation in parser.operations.values():
        found = signature(parser, operation, raw_paths[str(operation.path.raw)])
        signatures[str(operation.operationId)] = found
        routes[str(operation.operationId)] = route_signature(found, known)
        used = model_names.setdefault(str((operation.tags or [""])[0].raw), set())
        for text in [found.returns, operation.response, *(p.route for p in found.params)]:
            used |= known & set(IDENTIFIER.findall(text))
    return {
        "signatures": signatures,
        "routes": routes,
        "model_names": {tag: sorted(names) for tag, names in model_names.items()},
    }


visit = get_signatures
