"""The contract run's hooks, on schemathesis cases of the real contract."""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.generation.meta import (
    CaseMetadata,
    FuzzingPhaseData,
    GenerationInfo,
    PhaseInfo,
    TestPhase,
)

from scripts.contract import fuzz_state, schemathesis_hooks

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = schemathesis.openapi.from_dict(yaml.safe_load((ROOT / "spec/openapi.yaml").read_text()))
ADMIN_ID = "5b0c6f43-2b8e-4d8e-9a57-0d7c1e0b6a1f"
PEER_ID = "0f3e0d2c-8a4b-4c6d-9e1f-2a3b4c5d6e7f"


def make_case(
    path: str, method: str, *, mode: GenerationMode = GenerationMode.POSITIVE, **parts: Any
) -> Case[Any]:
    phase = PhaseInfo(
        name=TestPhase.FUZZING,
        data=FuzzingPhaseData(
            description=None, parameter=None, parameter_location=None, location=None
        ),
    )
    meta = CaseMetadata(generation=GenerationInfo(time=0.0, mode=mode), components={}, phase=phase)
    case: Case[Any] = SCHEMA[path][method].Case(_meta=meta, **parts)
    return case


@dataclass
class Answer:
    status_code: int
    body: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        return self.body


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> fuzz_state.AdminSession:
    """A fresh admin session, whose logins are numbered, and whose tokens live until ended."""
    logins = itertools.count(1)
    monkeypatch.setattr(fuzz_state, "login", lambda: f"token-{next(logins)}")
    session = fuzz_state.AdminSession()
    monkeypatch.setattr(schemathesis_hooks, "ADMIN", session)
    return session


def as_the_admin(case: Case[Any], login: str = "schemathesis-login") -> Case[Any]:
    """The case as schemathesis' [auth.wfc] hands it over: its login on, tagged as the admin."""
    case.headers["Authorization"] = f"Bearer {login}"
    case._auth_identity = fuzz_state.ADMIN_IDENTITY
    return case


def test_session_ending_operations_get_a_session_per_call(
    admin: fuzz_state.AdminSession,
) -> None:
    reads = [
        as_the_admin(make_case("/v1/users/me", "GET")),
        as_the_admin(make_case("/v1/sessions", "GET")),
    ]
    enders = [
        as_the_admin(make_case("/v1/sessions/current", "DELETE")),
        as_the_admin(make_case("/v1/sessions/current", "DELETE")),
        as_the_admin(make_case("/v1/sessions/{sessionId}", "DELETE")),
    ]

    for case in [*reads, *enders]:
        schemathesis_hooks.before_call(None, case)

    assert {case.headers["Authorization"] for case in reads} == {f"Bearer {admin.token()}"}
    own = [case.headers["Authorization"] for case in enders]
    assert len(set(own)) == 3
    assert f"Bearer {admin.token()}" not in own
    assert "Bearer schemathesis-login" not in own


def test_calls_not_sent_as_the_admin_keep_their_credentials(
    admin: fuzz_state.AdminSession,
) -> None:
    peer = as_the_admin(make_case("/v1/users/me", "GET"), login="the-authors")
    peer._auth_identity = fuzz_state.PEER_IDENTITY
    without = make_case("/v1/users/me", "GET")
    without._auth_identity = fuzz_state.ADMIN_IDENTITY

    schemathesis_hooks.before_call(None, peer)
    schemathesis_hooks.before_call(None, without)

    assert peer.headers["Authorization"] == "Bearer the-authors"
    assert "Authorization" not in (without.headers or {})


def ended_sessions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the tokens checked for liveness, and says each has ended."""
    checked: list[str] = []

    def is_live(token: str) -> bool:
        checked.append(token)
        return False

    monkeypatch.setattr(fuzz_state, "is_live", is_live)
    return checked


def test_a_revoke_or_a_refused_admin_token_renews_the_session(
    admin: fuzz_state.AdminSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = ended_sessions(monkeypatch)
    first = admin.token()
    revoke = make_case("/v1/sessions/{sessionId}", "DELETE")

    schemathesis_hooks.after_call(None, revoke, Answer(204))
    second = admin.token()
    refused = make_case("/v1/users/me", "GET", headers={"Authorization": f"Bearer {second}"})
    schemathesis_hooks.after_call(None, refused, Answer(401))

    assert checked == [first, second]
    assert admin.token() == "token-3"


def test_other_answers_leave_the_session_unchecked(
    admin: fuzz_state.AdminSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = ended_sessions(monkeypatch)
    token = admin.token()
    anonymous = make_case("/v1/users/me", "GET", headers={"Authorization": "Bearer forged"})

    schemathesis_hooks.after_call(None, anonymous, Answer(401))
    schemathesis_hooks.after_call(
        None, make_case("/v1/sessions/{sessionId}", "DELETE"), Answer(404)
    )

    assert checked == []
    assert admin.token() == token


def post(
    body: dict[str, Any], key: str, mode: GenerationMode = GenerationMode.POSITIVE
) -> Case[Any]:
    return make_case("/v1/posts", "POST", mode=mode, body=body, headers={"Idempotency-Key": key})


def test_every_valid_call_gets_a_key_of_its_own() -> None:
    first = schemathesis_hooks.idempotency_key(post({"title": "a"}, "k"))
    again = schemathesis_hooks.idempotency_key(post({"title": "a"}, "k"))

    assert first is not None
    assert again is not None
    assert first.startswith("k-")
    assert again.startswith("k-")
    assert len(first) == len("k-") + 16
    assert first != again


def test_a_drawn_key_keeps_within_the_contracts_length() -> None:
    key = schemathesis_hooks.idempotency_key(post({"title": "a"}, "x" * 255))

    assert key is not None
    assert len(key) == 255


def test_invalid_requests_and_requests_without_a_key_are_left_alone() -> None:
    negative = post({"title": "a"}, "k", mode=GenerationMode.NEGATIVE)
    keyless = make_case("/v1/posts", "POST", body={"title": "a"})

    assert schemathesis_hooks.idempotency_key(negative) is None
    assert schemathesis_hooks.idempotency_key(keyless) is None


class FakeTokens:
    def __init__(self) -> None:
        self.issued = itertools.count(1)

    def fresh(self) -> str:
        return f"real-{next(self.issued)}"


@pytest.fixture
def turns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemathesis_hooks, "_turns", defaultdict(itertools.count))


@pytest.mark.usefixtures("turns")
def test_every_other_valid_confirmation_gets_a_real_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(schemathesis_hooks, "reset_tokens", FakeTokens)
    path = "/v1/password-resets/{token}"
    cases = [make_case(path, "POST", path_parameters={"token": "drawn"}) for _ in range(4)]
    negative = make_case(
        path, "POST", mode=GenerationMode.NEGATIVE, path_parameters={"token": "drawn"}
    )

    for case in [*cases, negative]:
        schemathesis_hooks.before_call(None, case)

    tokens = [case.path_parameters["token"] for case in cases]
    assert tokens[1::2] == ["drawn", "drawn"]
    assert all(token.startswith("real-") for token in tokens[::2])
    assert negative.path_parameters["token"] == "drawn"


@pytest.mark.usefixtures("turns")
def test_every_other_valid_job_read_gets_the_last_started_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(schemathesis_hooks, "STARTED_JOBS", deque(maxlen=2))
    drawn = {"jobId": "drawn"}
    before = make_case("/v1/jobs/{jobId}", "GET", path_parameters=drawn)
    schemathesis_hooks.before_call(None, before)
    complete = make_case("/v1/posts/{postId}/attachments/{attachmentId}/complete", "POST")
    for job in ["job-1", "job-2"]:
        schemathesis_hooks.after_call(None, complete, Answer(202, {"data": {"jobId": job}}))
    reads = [make_case("/v1/jobs/{jobId}", "GET", path_parameters=drawn) for _ in range(2)]

    for case in reads:
        schemathesis_hooks.before_call(None, case)

    assert before.path_parameters == drawn
    assert [case.path_parameters["jobId"] for case in reads] == ["drawn", "job-2"]


@pytest.mark.usefixtures("turns")
def test_every_other_valid_login_gets_a_real_accounts_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = {"email": "login@example.com", "password": "the-password"}
    monkeypatch.setattr(schemathesis_hooks, "login_account", lambda: real)
    drawn = {"email": "drawn@example.com", "password": "drawn"}
    cases = [make_case("/v1/sessions", "POST", body=dict(drawn)) for _ in range(4)]
    negative = make_case("/v1/sessions", "POST", mode=GenerationMode.NEGATIVE, body=dict(drawn))

    for case in [*cases, negative]:
        schemathesis_hooks.before_call(None, case)

    assert [case.body for case in cases] == [real, drawn, real, drawn]
    assert negative.body == drawn


def test_a_started_upload_gets_its_file(monkeypatch: pytest.MonkeyPatch) -> None:
    uploads: list[tuple[dict[str, Any], str, int]] = []
    monkeypatch.setattr(
        fuzz_state,
        "upload",
        lambda form, *, content_type, size: uploads.append((form, content_type, size)),
    )
    form = {"url": "http://s3/bucket", "fields": {"key": "k"}}
    data = {"attachment": {"contentType": "image/png", "size": 3}, "upload": form}
    case = make_case("/v1/posts/{postId}/attachments", "POST")

    schemathesis_hooks.after_call(None, case, Answer(409))
    assert uploads == []
    schemathesis_hooks.after_call(None, case, Answer(201, {"data": data}))
    assert uploads == [(form, "image/png", 3)]


@pytest.mark.parametrize(("user_id", "restored"), [(ADMIN_ID, ["editor"]), ("someone", [])])
def test_the_admin_gets_its_role_back_and_a_new_session(
    admin: fuzz_state.AdminSession,
    monkeypatch: pytest.MonkeyPatch,
    user_id: str,
    restored: list[str],
) -> None:
    monkeypatch.setenv("CONTRACT_ADMIN_ID", ADMIN_ID)
    monkeypatch.setenv("CONTRACT_PEER_ID", PEER_ID)
    roles: list[str] = []

    def restore_admin(role: str) -> bool:
        roles.append(role)
        return True

    monkeypatch.setattr(fuzz_state, "restore_admin", restore_admin)
    monkeypatch.setattr(fuzz_state, "restore_peer", lambda role: pytest.fail("not the author"))
    before = admin.token()
    case = make_case("/v1/users/{userId}/role", "PATCH")

    schemathesis_hooks.after_call(
        None, case, Answer(200, {"data": {"id": user_id, "role": "editor"}})
    )

    assert roles == restored
    assert (admin.token() != before) == bool(restored)


def test_the_author_gets_its_role_back(
    admin: fuzz_state.AdminSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTRACT_ADMIN_ID", ADMIN_ID)
    monkeypatch.setenv("CONTRACT_PEER_ID", PEER_ID)
    roles: list[str] = []

    def restore_peer(role: str) -> bool:
        roles.append(role)
        return True

    monkeypatch.setattr(fuzz_state, "restore_peer", restore_peer)
    before = admin.token()
    case = make_case("/v1/users/{userId}/role", "PATCH")

    schemathesis_hooks.after_call(
        None, case, Answer(200, {"data": {"id": PEER_ID, "role": "admin"}})
    )

    assert roles == ["admin"]
    assert admin.token() == before


def test_the_seeded_delivery_is_seeded_again_once_its_webhook_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seeds = itertools.count(1)
    live: set[str] = set()

    def seed(token: str, event_types: list[str]) -> tuple[str, str]:
        n = next(seeds)
        live.add(f"webhook-{n}")
        return f"webhook-{n}", f"delivery-{n}"

    monkeypatch.setattr(schemathesis_hooks, "SEEDED", {})
    monkeypatch.setattr(fuzz_state, "seeded_delivery", seed)
    monkeypatch.setattr(fuzz_state, "webhook_exists", lambda token, webhook: webhook in live)

    first = schemathesis_hooks.seeded_delivery("token")
    again = schemathesis_hooks.seeded_delivery("token")
    live.clear()
    after_delete = schemathesis_hooks.seeded_delivery("token")

    assert first == again == {"webhookId": "webhook-1", "deliveryId": "delivery-1"}
    assert after_delete == {"webhookId": "webhook-2", "deliveryId": "delivery-2"}
