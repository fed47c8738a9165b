"""The builtins the host supplies, alone and called from a compiled policy."""

from __future__ import annotations

from typing import Any

import pytest

from app.platform.authz import ENTRYPOINT
from app.platform.authz.opa import OpaPolicy
from app.platform.authz.opa.builtins import parse_rfc3339_ns
from tests.platform.authz.opa.inputs import FIXTURES


def test_host_builtin_matches_rfc3339() -> None:
    fixture = OpaPolicy.load(FIXTURES / "host_builtin.tar.gz")
    before = fixture.eval(ENTRYPOINT, {"now": "2025-06-01T12:00:00.5+02:00"})
    assert before["reason"] == "before cutoff"
    assert fixture.eval(ENTRYPOINT, {"now": "2031-01-01T00:00:00Z"})["reason"] == "after cutoff"
    # A builtin error is undefined in OPA, so the default applies.
    assert fixture.eval(ENTRYPOINT, {"now": "yesterday"})["reason"] == "unparseable now"
    ns = fixture.eval("blog/authz/now_ns", {"now": "1969-12-31T23:59:59.000000001Z"})
    assert ns == -999_999_999


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1970-01-01T00:00:00Z", 0),
        ("1970-01-01T01:00:00+01:00", 0),
        ("1970-01-01T00:00:01.5Z", 1_500_000_000),
        ("2262-04-11T23:47:16.854775807Z", 2**63 - 1),
    ],
)
def test_parse_rfc3339_ns(value: str, expected: int) -> None:
    assert parse_rfc3339_ns(value) == expected


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (42, TypeError),
        ("2025-06-01", ValueError),
        ("2025-06-01T24:00:00Z", ValueError),
        ("2262-04-11T23:47:16.854775808Z", OverflowError),
    ],
)
def test_parse_rfc3339_ns_errors(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_rfc3339_ns(value)
