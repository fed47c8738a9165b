"""The Authorizer: decisions and errors from the real policy, their format, and the memo."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from app import errors
from app.platform.authz import (
    ENTRYPOINT,
    Authorizer,
    Caller,
    Decision,
    MalformedDecision,
    Principal,
    Resource,
    decision_from,
)
from app.platform.authz.opa import OpaPolicy

ROOT = Path(__file__).resolve().parents[3]
BUILD = ROOT / "opa/build"
FIXTURES = ROOT / "tests/opa/fixtures"
OWNER = uuid.UUID("00000000-0000-4000-8000-00000000000a")


class RecordingEngine:
    """A real policy, recording every entrypoint and input it evaluates."""

    def __init__(self, bundle: Path = BUILD) -> None:
        self.policy = OpaPolicy.load(bundle)
        self.entrypoints: list[str] = []
        self.inputs: list[dict[str, Any]] = []

    def eval(self, entrypoint: str, input: Any) -> Any:
        self.entrypoints.append(entrypoint)
        self.inputs.append(input)
        return self.policy.eval(entrypoint, input)


class AnswersFrom:
    """The real policy, answering the decision entrypoint with another entrypoint's value."""

    def __init__(self, entrypoint: str) -> None:
        self.policy = OpaPolicy.load(BUILD)
        self.entrypoint = entrypoint

    def eval(self, entrypoint: str, input: Any) -> Any:
        return self.policy.eval(self.entrypoint, input)


@pytest.fixture
def engine() -> RecordingEngine:
    return RecordingEngine()


def author(role: str = "author") -> Principal:
    return Principal(user_id=OWNER, role=role, session_id=uuid.uuid4())


def post(status: str) -> Resource:
    return Resource(type="post", owner_id=OWNER, status=status)


def test_identical_inputs_are_evaluated_once(engine: RecordingEngine) -> None:
    authorizer = Authorizer(engine)

    first = authorizer.decide(operation="getPost", principal=None, resource=post("published"))
    second = authorizer.decide(operation="getPost", principal=None, resource=post("published"))

    assert first == second
    assert first.allow
    assert len(engine.inputs) == 1
    assert engine.inputs[0]["subject"] == {"id": None, "role": None, "authenticated": False}


def test_sessions_of_one_user_share_decisions_but_roles_do_not(engine: RecordingEngine) -> None:
    authorizer = Authorizer(engine)
    resource = post("draft")

    for _ in range(3):
        authorizer.decide(operation="updatePost", principal=author(), resource=resource)
    authorizer.decide(operation="updatePost", principal=author("admin"), resource=resource)

    assert [i["subject"]["role"] for i in engine.inputs] == ["author", "admin"]
    assert engine.inputs[0]["subject"]["id"] == str(OWNER)


def test_resource_facts_are_part_of_the_key(engine: RecordingEngine) -> None:
    authorizer = Authorizer(engine)

    published = authorizer.decide(operation="getPost", principal=None, resource=post("published"))
    draft = authorizer.decide(operation="getPost", principal=None, resource=post("draft"))

    assert published.allow
    assert not draft.allow
    assert draft.hide
    assert len(engine.inputs) == 2


def test_now_is_the_current_whole_minute(
    engine: RecordingEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    authorizer = Authorizer(engine)
    minute = 29_000_000
    monkeypatch.setattr(time, "time", lambda: minute * 60 + 59.9)
    authorizer.decide(operation="listPosts", principal=None)
    monkeypatch.setattr(time, "time", lambda: (minute + 1) * 60)
    authorizer.decide(operation="listPosts", principal=None)
    authorizer.decide(operation="listPosts", principal=None)

    assert [i["now"] for i in engine.inputs] == [
        "2025-02-19T21:20:00+00:00",
        "2025-02-19T21:21:00+00:00",
    ]


def test_the_memo_is_bounded(engine: RecordingEngine) -> None:
    authorizer = Authorizer(engine, memo_size=2)
    resources = [Resource(type="post", owner_id=uuid.uuid4(), status="published") for _ in "abc"]

    for resource in [*resources, resources[0]]:
        authorizer.decide(operation="getPost", principal=None, resource=resource)

    assert len(engine.inputs) == 4


@pytest.mark.parametrize(
    ("principal", "error"),
    [(None, errors.NotFound), (author("reader"), errors.NotFound)],
    ids=["anonymous", "reader"],
)
def test_require_hides_someone_elses_draft(
    engine: RecordingEngine, principal: Principal | None, error: type[errors.AppError]
) -> None:
    other = Resource(type="post", owner_id=uuid.uuid4(), status="draft")

    with pytest.raises(error):
        Authorizer(engine).require(operation="getPost", principal=principal, resource=other)


@pytest.mark.parametrize(
    ("operation", "resource_type"), [("getPost", "post"), ("deleteSession", "session")]
)
def test_a_hidden_resource_is_the_not_found_of_its_type(
    engine: RecordingEngine, operation: str, resource_type: str
) -> None:
    other = Resource(type=resource_type, owner_id=uuid.uuid4(), status="draft")

    with pytest.raises(errors.NotFound) as raised:
        Authorizer(engine).require(operation=operation, principal=author(), resource=other)

    missing = errors.NotFound.of(resource_type)
    assert (raised.value.message, raised.value.details, raised.value.headers) == (
        missing.message,
        missing.details,
        missing.headers,
    )
    assert missing.message == f"{resource_type.capitalize()} not found."


def test_allows_answers_without_raising(engine: RecordingEngine) -> None:
    caller = Caller(operation="listAttachments", principal=None, authorizer=Authorizer(engine))
    draft = Resource(type="post", owner_id=uuid.uuid4(), status="draft")

    assert not caller.allows(draft)
    assert not caller.allows(post("published"), operation="createAttachment")
    assert caller.allows(post("published"))
    assert Caller("getPost", author(), Authorizer(engine)).allows(
        post("draft"), operation="createAttachment"
    )


def test_require_refuses_anonymous_writes_with_401(engine: RecordingEngine) -> None:
    with pytest.raises(errors.Unauthenticated):
        Authorizer(engine).require(operation="createPost", principal=None)


def test_asks_the_decision_entrypoint(engine: RecordingEngine) -> None:
    decision = Authorizer(engine).decide(operation="listPosts", principal=author())

    assert engine.entrypoints == [ENTRYPOINT]
    assert decision == Decision(
        allow=True, hide=False, reason="open to everyone", visibility="published_or_own"
    )


def test_an_undefined_decision_denies() -> None:
    # The conflict fixture defines a decision only when input.a or input.b is set.
    authorizer = Authorizer(RecordingEngine(FIXTURES / "conflict.tar.gz"))

    decision = authorizer.decide(operation="getHealth", principal=None)

    assert decision == Decision(allow=False, hide=False, reason="undefined decision")
    with pytest.raises(errors.Forbidden):
        authorizer.require(operation="getHealth", principal=author())


def test_a_malformed_decision_raises() -> None:
    authorizer = Authorizer(AnswersFrom("blog/authz/operations"))

    with pytest.raises(MalformedDecision, match="malformed decision"):
        authorizer.decide(operation="getHealth", principal=None)


def test_each_authorizer_memoizes_for_its_own_policy() -> None:
    real, undefined = RecordingEngine(), RecordingEngine(FIXTURES / "conflict.tar.gz")

    assert Authorizer(real).decide(operation="getHealth", principal=None).allow
    assert not Authorizer(undefined).decide(operation="getHealth", principal=None).allow
    assert (len(real.inputs), len(undefined.inputs)) == (1, 1)


@pytest.mark.parametrize(
    "value",
    [
        [],
        "allow",
        {"hide": False, "reason": "r"},
        {"allow": 1, "hide": False, "reason": "r"},
        {"allow": True, "hide": None, "reason": "r"},
        {"allow": True, "hide": False},
        {"allow": True, "hide": False, "reason": 7},
        {"allow": True, "hide": False, "reason": "r", "visibility": None},
    ],
)
def test_decision_format_is_checked(value: Any) -> None:
    with pytest.raises(MalformedDecision):
        decision_from(value)


def test_decision_from_a_well_formed_value() -> None:
    value = {"allow": True, "hide": False, "reason": "r", "visibility": "all", "extra": 1}

    assert decision_from(value) == Decision(allow=True, reason="r", visibility="all")
    assert decision_from(None) == Decision(allow=False, reason="undefined decision")
