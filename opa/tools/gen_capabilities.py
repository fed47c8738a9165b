"""Write opa/capabilities.json: the builtins a wasm build may use.

That is the set OPA compiles natively into wasm (read from the pinned OPA
module source, internal/compiler/wasm/wasm.go) plus the builtins the Python
host implements (app/platform/authz/opa/builtins.py HOST_BUILTINS). Anything else would only
fail at evaluation time, so `opa build --capabilities` must reject it.

Usage: gen_capabilities.py <opa-module-dir> <opa-binary> <output>
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

HOST_BUILTINS = {"time.parse_rfc3339_ns"}
# Unification and assignment are compiled away by the planner.
ALWAYS = {"eq", "assign"}


def native_builtins(opa_src: Path) -> set[str]:
    wasm_go = (opa_src / "internal/compiler/wasm/wasm.go").read_text()
    block = wasm_go.split("var builtinsFunctions = map[string]string{", 1)[1]
    block = block.split("\n}\n", 1)[0]
    idents = set(re.findall(r"ast\.(\w+)\.Name:", block))
    names: dict[str, str] = {}
    for src in (opa_src / "v1/ast").glob("builtins*.go"):
        for ident, name in re.findall(
            r'^var (\w+) = &Builtin\{\s*\n\s*Name:\s*"([^"]+)"',
            src.read_text(),
            re.MULTILINE,
        ):
            names[ident] = name
    missing = idents - names.keys()
    if missing:
        raise SystemExit(f"cannot resolve builtin names for {sorted(missing)}")
    return {names[i] for i in idents}


def main() -> None:
    opa_src, opa_bin, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    current = json.loads(
        subprocess.run(  # noqa: S603 -- the pinned CLI path comes from opa.mk
            [opa_bin, "capabilities", "--current"], check=True, capture_output=True
        ).stdout
    )
    source_caps = json.loads((opa_src / "capabilities.json").read_text())
    allowed = native_builtins(opa_src) | HOST_BUILTINS | ALWAYS
    builtins = [b for b in current["builtins"] if b["name"] in allowed]
    unknown = allowed - {b["name"] for b in builtins}
    if unknown:
        raise SystemExit(f"builtins not offered by this OPA: {sorted(unknown)}")
    caps = {
        "builtins": sorted(builtins, key=lambda b: b["name"]),
        "future_keywords": current.get("future_keywords", []),
        "wasm_abi_versions": source_caps["wasm_abi_versions"],
        "features": current.get("features", []),
    }
    out.write_text(json.dumps(caps, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
