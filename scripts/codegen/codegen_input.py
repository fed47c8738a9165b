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


def main(argv: list[str]) -> None:
    source, target = Path(argv[1]), Path(argv[2])
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    target.write_text(json.dumps(without_string_constraints(document), indent=1), "utf-8")


if __name__ == "__main__":
    main(sys.argv)
