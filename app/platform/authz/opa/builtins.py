"""Rego builtins that OPA does not compile into wasm and the host supplies.

Keep this set in sync with opa/tools/gen_capabilities.py (HOST_BUILTINS): the
capabilities file stops `opa build` from emitting calls to anything else.
Arguments and results travel as JSON, so sets arrive as lists. Raising
ValueError/TypeError makes the call undefined, as OPA does for builtin errors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})"
)
_EPOCH = dt.date(1970, 1, 1)


def parse_rfc3339_ns(value: Any) -> int:
    if not isinstance(value, str):
        raise TypeError("time.parse_rfc3339_ns: operand must be a string")
    match = _RFC3339.fullmatch(value)
    if match is None:
        raise ValueError(f"time.parse_rfc3339_ns: cannot parse {value!r}")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zone = match.group(7) or "", match.group(8)
    zone_hour, zone_minute = (0, 0) if zone == "Z" else (int(zone[1:3]), int(zone[4:6]))
    if hour > 23 or minute > 59 or second > 59 or zone_hour > 23 or zone_minute > 59:
        raise ValueError(f"time.parse_rfc3339_ns: field out of range in {value!r}")
    days = (dt.date(year, month, day) - _EPOCH).days
    offset = (zone_hour * 60 + zone_minute) * 60 * (-1 if zone[0] == "-" else 1)
    seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
    ns = seconds * 1_000_000_000 + int(fraction[:9].ljust(9, "0"))
    if not -(2**63) <= ns < 2**63:
        raise OverflowError(f"time.parse_rfc3339_ns: {value!r} is outside int64 nanoseconds")
    return ns


HOST_BUILTINS: dict[str, Callable[..., Any]] = {
    "time.parse_rfc3339_ns": parse_rfc3339_ns,
}
