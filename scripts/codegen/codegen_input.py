"""Write the contract as the generator should read it: without string constraints on formats
that become other Python types.

A `format: uuid` or `format: date-time` string is validated as a UUID or an aware datetime, which
bounds its length and shape; pydantic cannot apply `max_length` or `pattern` to those types, so
they are dropped from the generator's input only (spec/openapi.yaml keeps them for consumers).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

TYPED_FORMATS = frozenset({"uuid", "date-time"})
STRING_CONSTRAINTS = ("minLength", "maxLength", "pattern")


def without_string_constraints(node: Any) -> Any:
    """node with the string constraints of every typed-format schema in it removed."""
    if isinstance(node, list):
        return [without_string_constraints(item) for item in node]
    if not isinstance(node, dict):
        return node
    typed = isinstance(node.get("format"), str) and node["format"] in TYPED_FORMATS
    return {
        key: without_string_constraints(value)
        for key, value in node.items()
        if not (typed and key in STRING_CONSTRAINTS)
    }


def _admits_null(schema: Any) -> bool:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return kind == "null" or (isinstance(kind, list) and "null" in kind)


def with_nullable_refs_inlined(document: dict[str, Any]) -> dict[str, Any]:
    """document with each object property that refers to a schema admitting null written out.

    The model template refuses an explicit null for an optional property whose own type has no
    null; through a bare `$ref` the generator cannot see that the referred schema admits it.
    """
    schemas = document.get("components", {}).get("schemas", {})
    prefix = "#/components/schemas/"
    for schema in schemas.values():
        properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
        for name, prop in properties.items():
            ref = prop.get("$ref", "") if isinstance(prop, dict) else ""
            target = schemas.get(ref.removeprefix(prefix)) if ref.startswith(prefix) else None
            if target is not None and _admits_null(target):
                properties[name] = {**target, **{k: v for k, v in prop.items() if k != "$ref"}}
    return document


def main(argv: list[str]) -> None:
    source, target = Path(argv[1]), Path(argv[2])
    document = with_nullable_refs_inlined(yaml.safe_load(source.read_text(encoding="utf-8")))
    target.write_text(json.dumps(without_string_constraints(document), indent=1), "utf-8")


if __name__ == "__main__":
    main(sys.argv)
