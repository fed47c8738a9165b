"""The real rate limits, met on the served app: login, registration and both password reset
operations answer 429 RATE_LIMITED with Retry-After and the RateLimit headers, as the contract
documents it.

The contract run (contract_test.py) raises every limit out of its reach. This run serves the
app the same way with app/settings.py's limits, sends each operation valid requests until it
refuses one, which must be the request just past the limit's quota, and checks that answer
with schemathesis' response checks against the contract and with the rules below. Exits 1 when
an operation was refused early, never, or with an answer that breaks them.
"""

from __future__ import annotations

import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.settings import Quota, Settings
from scripts.contract.contract_test import load_spec, served_stack

RATE_LIMITED = "RATE_LIMITED"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
POLICY = re.compile(r'^"(?P<name>[a-z0-9-]+)";q=(?P<quota>[0-9]+);w=(?P<window>[0-9]+)$')
REMAINING = re.compile(r'^"(?P<name>[a-z0-9-]+)";r=(?P<remaining>[0-9]+);t=(?P<reset>[0-9]+)$')
TIMEOUT = 60
# Longer than any burst takes: eleven logins, each hashing a password.
BURST_SECONDS = 15.0


@dataclass(frozen=True)
class Burst:
    """Valid requests to one operation, the nth made by `request(n)`, under the quota that
    refuses them first."""

    operation_id: str
    quota: Quota
    request: Callable[[int], dict[str, Any]]


def _password() -> str:
    return secrets.token_urlsafe(16)


def default(name: str) -> Quota:
    """A limit as app/settings.py declares it, whatever the environment or .env says."""
    quota = Settings.model_fields[name].default
    assert isinstance(quota, Quota)
    return quota


def bursts() -> list[Burst]:
    """One per limited operation, each under its smallest quota for one client and account."""
    victim = f"victim-{secrets.token_hex(4)}@example.com"
    run = secrets.token_hex(4)
    return [
        Burst(
            "createSession",
            default("ratelimit_login_per_account_ip"),
            lambda _: {"body": {"email": victim, "password": _password()}},
        ),
        Burst(
            "registerUser",
            default("ratelimit_register_per_ip"),
            lambda n: {
                "body": {
                    "email": f"burst-{run}-{n}@example.com",
                    "password": _password(),
                    "displayName": f"Burst {n}",
                }
            },
        ),
        Burst(
            "requestPasswordReset",
            default("ratelimit_password_reset_per_ip"),
            lambda n: {"body": {"email": f"reset-{run}-{n}@example.com"}},
        ),
        Burst(
            "confirmPasswordReset",
            default("ratelimit_password_reset_confirm_per_ip"),
            lambda _: {
                "path_parameters": {"token": secrets.token_urlsafe(24)},
                "body": {"password": _password()},
            },
        ),
    ]


def header_problems(headers: Mapping[str, str], quota: Quota) -> Iterator[str]:
    """What is wrong with a 429's Retry-After and RateLimit headers, for a refusal by `quota`."""
    retry_after = headers.get("retry-after", "")
    if not retry_after.isdigit() or not 1 <= int(retry_after) <= quota.seconds:
        yield f"Retry-After {retry_after!r} is not a number of seconds within {quota.seconds}"
    policy = POLICY.match(headers.get("ratelimit-policy", ""))
    remaining = REMAINING.match(headers.get("ratelimit", ""))
    if policy is None or remaining is None:
        yield "RateLimit-Policy or RateLimit is missing or malformed"
        return
    if (int(policy["quota"]), int(policy["window"])) != (quota.count, quota.seconds):
        yield f"RateLimit-Policy {policy.group(0)} does not name the quota {quota}"
    if remaining["name"] != policy["name"] or remaining["remaining"] != "0":
        yield f"RateLimit {remaining.group(0)} is not the exhausted {policy['name']}"
    elif int(remaining["reset"]) > quota.seconds:
        yield f"RateLimit resets in {remaining['reset']} s, past the {quota.seconds} s window"


def single_values(headers: Mapping[str, Any]) -> dict[str, str]:
    """Lower-cased names and their last value, from schemathesis' lists of values."""
    return {
        name.lower(): values[-1] if isinstance(values, list) else values
        for name, values in headers.items()
        if values
    }


def error_code(response: Any) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return (body.get("error") or {}).get("code") if isinstance(body, dict) else None


def start_of_a_window(
    quota: Quota,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Wait for the quota's next window when the current one ends within BURST_SECONDS.

    The app counts fixed windows of the epoch (app/platform/ratelimit/limiter.py): a burst that
    straddles a boundary is counted half in each window and never refused.
    """
    left = quota.seconds - clock() % quota.seconds
    if left < BURST_SECONDS:
        # Past the boundary by a little: the app reads the same clock a moment later.
        sleep(left + 0.1)


def meet(schema: Any, base: str, burst: Burst) -> list[str]:
    """Send the burst; what went wrong, or nothing when the request past the quota got a
    conforming 429 and none before it did."""
    operation = schema.find_operation_by_id(burst.operation_id)
    for n in range(1, burst.quota.count + 2):
        case = operation.Case(media_type="application/json", **burst.request(n))
        response = case.call(base_url=base, timeout=TIMEOUT)
        if response.status_code != 429:
            continue
        if n <= burst.quota.count:
            return [f"refused the request {n}, within the quota {burst.quota}"]
        problems = list(header_problems(single_values(response.headers), burst.quota))
        if error_code(response) != RATE_LIMITED:
            problems.append(f"error.code is {error_code(response)!r}, not {RATE_LIMITED}")
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            problems += [failure.title for failure in group.exceptions]
        return problems
    return [f"no 429 after {burst.quota.count + 1} requests (quota {burst.quota})"]


def main() -> int:
    spec = load_spec()
    schema = schemathesis.openapi.from_dict(spec)
    failed = False
    limits = {
        f"RATELIMIT_{name.removeprefix('ratelimit_').upper()}": str(default(name))
        for name in Settings.model_fields
        if name.startswith("ratelimit_")
    }
    with served_stack(limits) as (base, _):
        for burst in bursts():
            start_of_a_window(burst.quota)
            problems = meet(schema, base, burst)
            failed = failed or bool(problems)
            verdict = "; ".join(problems) or f"429 {RATE_LIMITED} past the quota, as documented"
            print(f"rate limit {burst.operation_id} ({burst.quota}): {verdict}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
