"""opa/capabilities.json admits the host's builtins and none that wasm lacks."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from app.platform.authz.opa.builtins import HOST_BUILTINS

ROOT = Path(__file__).resolve().parents[2]


def test_capabilities_match_the_host() -> None:
    caps = json.loads((ROOT / "opa/capabilities.json").read_text())
    names = {builtin["name"] for builtin in caps["builtins"]}
    assert set(HOST_BUILTINS) <= names
    assert not names & {"http.send", "crypto.sha256", "sprintf", "time.now_ns", "io.jwt.decode"}
    assert {"eq", "internal.member_2", "object.union", "concat"} <= names
    gen = (ROOT / "opa/tools/gen_capabilities.py").read_text()
    match = re.search(r"^HOST_BUILTINS = (\{.*\})$", gen, re.MULTILINE)
    assert match is not None
    assert ast.literal_eval(match.group(1)) == set(HOST_BUILTINS)
