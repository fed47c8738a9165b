"""The rate limit run's rules for a 429 and when it must come (the run is `make contract`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.settings import Quota, Settings
from scripts.contract import rate_limits

QUOTA = Quota(count=3, seconds=60)
GOOD = {
    "retry-after": "42",
    "ratelimit-policy": '"login-ip";q=3;w=60',
    "ratelimit": '"login-ip";r=0;t=42',
}


def test_a_documented_refusal_has_no_problems() -> None:
    assert list(rate_limits.header_problems(GOOD, QUOTA)) == []


@pytest.mark.parametrize(
    ("changed", "problem"),
    [
        ({"retry-after": "0"}, "Retry-After '0'"),
        ({"retry-after": "61"}, "Retry-After '61'"),
        ({"retry-after": "soon"}, "Retry-After 'soon'"),
        ({"ratelimit-policy": ""}, "missing or malformed"),
        ({"ratelimit": '"login-ip";r=0'}, "missing or malformed"),
        ({"ratelimit-policy": '"login-ip";q=50;w=60'}, "does not name the quota 3/60"),
        ({"ratelimit": '"login-ip";r=1;t=42'}, "is not the exhausted login-ip"),
        ({"ratelimit": '"register-ip";r=0;t=42'}, "is not the exhausted login-ip"),
        ({"ratelimit": '"login-ip";r=0;t=61'}, "past the 60 s window"),
    ],
)
def test_a_refusal_must_say_when_to_retry_and_which_limit_refused(
    changed: dict[str, str], problem: str
) -> None:
    problems = list(rate_limits.header_problems({**GOOD, **changed}, QUOTA))

    assert len(problems) == 1
    assert problem in problems[0]


def test_a_missing_header_is_a_problem() -> None:
    headers = {name: value for name, value in GOOD.items() if name != "ratelimit"}

    assert list(rate_limits.header_problems(headers, QUOTA)) == [
        "RateLimit-Policy or RateLimit is missing or malformed"
    ]


def test_schemathesis_lists_of_values_become_one_value_per_lower_cased_name() -> None:
    headers = {"Retry-After": ["42"], "RateLimit": ["a", "b"], "Empty": []}

    assert rate_limits.single_values(headers) == {"retry-after": "42", "ratelimit": "b"}


@dataclass
class Answer:
    status_code: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, list[str]] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(json.dumps(self.body))


REFUSAL = Answer(
    429,
    {"success": False, "data": None, "error": {"code": "RATE_LIMITED"}},
    {name: [value] for name, value in GOOD.items()},
)


class Operation:
    """Answers the nth call with the nth answer, and records what each case was built from."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = iter(answers)
        self.built: list[dict[str, Any]] = []
        self.validated = 0

    def Case(self, **parts: Any) -> Operation:
        self.built.append(parts)
        return self

    def call(self, **kwargs: Any) -> Answer:
        return next(self.answers)

    def validate_response(self, response: Answer, checks: list[Any]) -> None:
        assert checks == rate_limits.CHECKS
        self.validated += 1


class Schema:
    def __init__(self, operation: Operation) -> None:
        self.operation = operation

    def find_operation_by_id(self, operation_id: str) -> Operation:
        assert operation_id == "createSession"
        return self.operation


def burst() -> rate_limits.Burst:
    return rate_limits.Burst("createSession", QUOTA, lambda n: {"body": {"n": n}})


def test_the_request_past_the_quota_must_be_refused_and_is_validated() -> None:
    operation = Operation(Answer(401), Answer(401), Answer(401), REFUSAL)

    assert rate_limits.meet(Schema(operation), "http://app", burst()) == []
    assert [parts["body"]["n"] for parts in operation.built] == [1, 2, 3, 4]
    assert operation.validated == 1


def test_a_refusal_within_the_quota_fails() -> None:
    operation = Operation(Answer(401), REFUSAL)

    assert rate_limits.meet(Schema(operation), "http://app", burst()) == [
        "refused the request 2, within the quota 3/60"
    ]


def test_no_refusal_fails() -> None:
    operation = Operation(*[Answer(201)] * 4)

    assert rate_limits.meet(Schema(operation), "http://app", burst()) == [
        "no 429 after 4 requests (quota 3/60)"
    ]


def test_a_refusal_with_another_code_fails() -> None:
    other = Answer(429, {"error": {"code": "TOO_MANY"}}, REFUSAL.headers)
    operation = Operation(Answer(401), Answer(401), Answer(401), other)

    assert rate_limits.meet(Schema(operation), "http://app", burst()) == [
        "error.code is 'TOO_MANY', not RATE_LIMITED"
    ]


def test_the_quotas_are_the_declared_defaults_whatever_the_environment_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RATELIMIT_REGISTER_PER_IP", "1000000/60")
    monkeypatch.setenv("RATELIMIT_LOGIN_PER_ACCOUNT_IP", "1000000/60")
    fields = Settings.model_fields

    planned = {burst.operation_id: burst.quota for burst in rate_limits.bursts()}

    assert planned == {
        "createSession": fields["ratelimit_login_per_account_ip"].default,
        "registerUser": fields["ratelimit_register_per_ip"].default,
        "requestPasswordReset": fields["ratelimit_password_reset_per_ip"].default,
        "confirmPasswordReset": fields["ratelimit_password_reset_confirm_per_ip"].default,
    }
    # One client logging in to one account meets this one first.
    logins = ["ratelimit_login_per_account", "ratelimit_login_per_ip"]
    assert all(planned["createSession"].count < fields[name].default.count for name in logins)


def waited(now: float, quota: Quota) -> list[float]:
    sleeps: list[float] = []
    rate_limits.start_of_a_window(quota, clock=lambda: now, sleep=sleeps.append)
    return sleeps


def test_a_burst_that_could_straddle_a_window_waits_for_the_next_one() -> None:
    # 55 s into a 60 s window: 5 s left, fewer than a burst may take.
    assert waited(60 * 1_000 + 55, Quota(count=10, seconds=60)) == [pytest.approx(5.1)]


def test_a_burst_with_time_left_in_its_window_starts_at_once() -> None:
    assert waited(60 * 1_000 + 30, Quota(count=10, seconds=60)) == []
    assert waited(600 * 1_000 + 584, Quota(count=20, seconds=600)) == []


def test_the_wait_ends_just_past_the_boundary() -> None:
    now = 600 * 1_000 + 590.0
    (sleep,) = waited(now, Quota(count=20, seconds=600))

    assert int((now + sleep) // 600) == int(now // 600) + 1
    assert sleep < rate_limits.BURST_SECONDS
