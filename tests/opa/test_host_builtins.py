"""Host-implemented builtins agree with OPA's own implementation (via the CLI)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from app.platform.authz.opa import OpaPolicy
from tests.helpers import unavailable

ROOT = Path(__file__).resolve().parents[2]
OPA = ROOT / ".tools/bin/opa"
FIXTURE = ROOT / "tests/opa/fixtures/host_builtin"

TIMESTAMPS = [
    "2025-06-01T12:00:00Z",
    "2025-06-01T12:00:00.5+02:00",
    "2025-06-01T12:00:00.123456789-07:30",
    "2025-06-01T12:00:00.1234567891Z",
    "1969-12-31T23:59:59.000000001Z",
    "2262-04-11T23:47:16.854775807Z",
    "2262-04-11T23:47:16.854775808Z",
    "0001-01-01T00:00:00Z",
    "2025-06-01t12:00:00z",
    "2025-06-01 12:00:00Z",
    "2025-02-30T00:00:00Z",
    "2025-06-01T24:00:00Z",
    "2025-06-01T12:00:00+25:00",
    "",
]


def _cli(now: str) -> int | None:
    out = subprocess.run(
        [str(OPA), "eval", "-f", "json", "-d", str(FIXTURE), "-I", "data.blog.authz.now_ns"],
        input=json.dumps({"now": now}),
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout).get("result")
    return result[0]["expressions"][0]["value"] if result else None


def test_parse_rfc3339_ns_matches_opa() -> None:
    if not OPA.exists():
        unavailable("OPA CLI not installed (make opa-tools)")
    policy = OpaPolicy.load(FIXTURE.with_suffix(".tar.gz"))
    for now in TIMESTAMPS:
        assert policy.eval("blog/authz/now_ns", {"now": now}) == _cli(now), now
