"""The host: loading, evaluating any entrypoint, failure modes and concurrency."""

from __future__ import annotations

import shutil
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.platform.authz import ENTRYPOINT
from app.platform.authz.opa import OpaPolicy, PolicyEvalError, PolicyLoadError
from tests.platform.authz.opa.inputs import (
    ANONYMOUS,
    AUTHOR,
    AUTHOR_ID,
    BUILD,
    EDITOR,
    FIXTURES,
    doc,
    draft,
)

# Failure handling and memory growth differ between the two ways of calling opa_eval.
CALL_PATHS = pytest.mark.parametrize("fast_call", [True, False], ids=["fast", "portable"])


@pytest.fixture(scope="module")
def policy() -> OpaPolicy:
    return OpaPolicy.load(BUILD, require=[ENTRYPOINT])


def test_loads_directory_and_reports_revision(policy: OpaPolicy) -> None:
    assert policy.revision.startswith("sha256:")
    assert ENTRYPOINT in policy.entrypoints
    assert policy.eval(ENTRYPOINT, doc("getHealth", ANONYMOUS))["allow"] is True


def test_required_entrypoint_missing_fails_at_load() -> None:
    with pytest.raises(PolicyLoadError, match="entrypoint blog/authz/decision"):
        OpaPolicy.load(FIXTURES / "wrong_entrypoint.tar.gz", require=[ENTRYPOINT])
    other = OpaPolicy.load(FIXTURES / "wrong_entrypoint.tar.gz")
    assert other.eval("blog/other/decision", {})["reason"] == "wrong package"


def test_undefined_is_none() -> None:
    fixture = OpaPolicy.load(FIXTURES / "conflict.tar.gz")
    assert fixture.eval(ENTRYPOINT, {}) is None
    assert fixture.eval(ENTRYPOINT, {"b": True}) == {"allow": False, "hide": False, "reason": "b"}


@CALL_PATHS
def test_abort_raises_and_instance_recovers(fast_call: bool) -> None:
    fixture = OpaPolicy.load(FIXTURES / "conflict.tar.gz", fast_call=fast_call)
    with pytest.raises(PolicyEvalError, match="var assignment conflict"):
        fixture.eval(ENTRYPOINT, {"a": True, "b": True})
    assert fixture.eval(ENTRYPOINT, {"a": True})["reason"] == "a"
    assert fixture.call_kind == ("fast" if fast_call else "portable")


def test_input_must_be_json(policy: OpaPolicy) -> None:
    with pytest.raises(PolicyEvalError, match="not JSON"):
        policy.eval(ENTRYPOINT, {"operation": object()})
    subject = dict(AUTHOR, id=uuid.UUID(AUTHOR_ID))
    assert policy.eval(ENTRYPOINT, doc("getCurrentUser", subject))["allow"] is True


@CALL_PATHS
def test_large_input_grows_memory(fast_call: bool) -> None:
    loaded = OpaPolicy.load(BUILD, fast_call=fast_call)
    large = doc("getPost", AUTHOR, draft(AUTHOR_ID)) | {"padding": "x" * 600_000}
    assert loaded.eval(ENTRYPOINT, large)["allow"] is True
    with pytest.raises(PolicyEvalError, match="bytes, above"):
        loaded.eval(ENTRYPOINT, {"padding": "x" * 2_000_000})
    assert loaded.eval(ENTRYPOINT, doc("getHealth", ANONYMOUS))["allow"] is True


def test_unknown_entrypoint(policy: OpaPolicy) -> None:
    with pytest.raises(PolicyEvalError, match="not in the policy"):
        policy.eval("blog/authz/nope", None)


@CALL_PATHS
def test_concurrent_evaluations(tmp_path: Path, fast_call: bool) -> None:
    shutil.copytree(BUILD, tmp_path / "b")
    loaded = OpaPolicy.load(tmp_path / "b", fast_call=fast_call)
    cases = [
        (doc("getPost", ANONYMOUS, draft(AUTHOR_ID)), (False, True)),
        (doc("getPost", AUTHOR, draft(AUTHOR_ID)), (True, False)),
        (doc("deletePost", EDITOR, draft(AUTHOR_ID)), (True, False)),
        (doc("createCategory", AUTHOR), (False, False)),
        (doc("createCategory", EDITOR), (True, False)),
        (
            doc("getJob", EDITOR, {"type": "job", "ownerId": AUTHOR_ID, "status": None}),
            (False, True),
        ),
    ]
    start = threading.Barrier(8)

    def worker(index: int) -> int:
        start.wait()
        wrong = 0
        for n in range(300):
            input_doc, expected = cases[(index + n) % len(cases)]
            decision = loaded.eval(ENTRYPOINT, input_doc)
            wrong += (decision["allow"], decision["hide"]) != expected
        return wrong

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(worker, range(8))) == 0
