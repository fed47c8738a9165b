"""The Authorizer: decisions and errors from the real policy, and its memo on typed inputs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from app import errors
from app.platform.authz import Authorizer, Principal, Resource
from app.platform.authz.wasm import WasmPolicy

BUILD = Path(__file__).resolve().parents[2] / "opa/build"
OWNER = uuid.UUID("00000000-0000-4000-8000-00000000000a")


class RecordingEngine:
    """The real policy, with the engine's own memo off, recording every input it evaluates."""

    def __init__(self) -> None:
        self.policy = WasmPolicy.load(BUILD)
        self.policy.memo_enabled = False
        self.inputs: list[Mapping[str, Any]] = []

    def evaluate(self, input: Mapping[str, Any]) -> dict[str, Any]:
        self.inputs.append(input)
        return self.policy.evaluate(input)


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


def test_require_refuses_anonymous_writes_with_401(engine: RecordingEngine) -> None:
    with pytest.raises(errors.Unauthenticated):
        Authorizer(engine).require(operation="createPost", principal=None)
