"""Copy the one fenced yaml block of docs/spec.md to spec/openapi.yaml, byte for byte."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

FENCE = re.compile(r"^```yaml\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def extract(markdown: str) -> str:
    blocks = FENCE.findall(markdown)
    if len(blocks) != 1:
        raise SystemExit(f"docs/spec.md must hold exactly one ```yaml block, found {len(blocks)}")
    document = yaml.safe_load(blocks[0])
    if not isinstance(document, dict) or not str(document.get("openapi", "")).startswith("3.1"):
        raise SystemExit("the yaml block in docs/spec.md is not an OpenAPI 3.1 document")
    return str(blocks[0])


def main(argv: list[str]) -> None:
    source, target = Path(argv[1]), Path(argv[2])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(extract(source.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
