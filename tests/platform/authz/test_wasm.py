"""Loading, failure modes, memo and concurrency of the wasm policy host."""

from __future__ import annotations

import io
import shutil
import tarfile
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from app.platform.authz.wasm import DecisionMemo, PolicyEvalError, PolicyLoadError, WasmPolicy

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "opa/build"
FIXTURES = ROOT / "tests/opa/fixtures"

AUTHOR_ID = "00000000-0000-4000-8000-00000000000a"
AUTHOR: dict[str, Any] = {"id": AUTHOR_ID, "role": "author", "authenticated": True}
EDITOR: dict[str, Any] = {
    "id": "00000000-0000-4000-8000-00000000000e",
    "role": "editor",
    "authenticated": True,
}
ANONYMOUS: dict[str, Any] = {"id": None, "role": None, "authenticated": False}


def _doc(
    op: str, subject: dict[str, Any], resource: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "operation": op,
        "subject": subject,
        "resource": resource,
        "now": "2025-06-01T12:00:00Z",
    }


def _draft(owner: str | None) -> dict[str, Any]:
    return {"type": "post", "ownerId": owner, "status": "draft"}


@pytest.fixture(scope="module")
def policy() -> WasmPolicy:
    return WasmPolicy.load(BUILD)


def _tarball(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "bundle.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo("/" + name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


# -- loading ---------------------------------------------------------------


def test_loads_directory_and_reports_revision(policy: WasmPolicy) -> None:
    assert policy.revision.startswith("sha256:")
    assert "blog/authz/decision" in policy.entrypoints
    assert policy.evaluate(_doc("getHealth", ANONYMOUS))["allow"] is True


def test_loads_tarball_with_manifest_revision(tmp_path: Path) -> None:
    files = {name: (BUILD / name).read_bytes() for name in ("policy.wasm", "data.json")}
    files[".manifest"] = b'{"revision": "r42", "roots": [""]}'
    loaded = WasmPolicy.load(_tarball(tmp_path, files))
    assert loaded.revision == "r42"
    assert loaded.evaluate(_doc("createPost", AUTHOR))["allow"] is True


def test_compiled_module_cache(tmp_path: Path) -> None:
    first = WasmPolicy.load(BUILD, cache_dir=tmp_path / "cache")
    artifacts = list((tmp_path / "cache").glob("*.cwasm"))
    assert len(artifacts) == 1
    second = WasmPolicy.load(BUILD, cache_dir=tmp_path / "cache")
    doc = _doc("updatePost", AUTHOR, _draft("00000000-0000-4000-8000-00000000000e"))
    assert (
        first.evaluate(doc)
        == second.evaluate(doc)
        == {
            "allow": False,
            "hide": True,
            "reason": "not visible",
        }
    )
    artifacts[0].write_bytes(b"stale")
    assert WasmPolicy.load(BUILD, cache_dir=tmp_path / "cache").evaluate(doc)["hide"] is True


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "absent", "does not exist"),
        (lambda d: _write(d / "b", {"data.json": b"{}"}), "policy.wasm not found"),
        (lambda d: _write(d / "b", {"policy.wasm": b"\0asm garbage"}), "not a valid wasm"),
        (lambda d: _write(d / "b", {"policy.wasm": b"", "data.json": b"{"}), "data.json"),
        (lambda d: _write(d / "b", {"policy.wasm": b"", ".manifest": b"["}), ".manifest"),
        (lambda d: _write(d, {"x.zip": b"PK"}) / "x.zip", "neither a directory"),
        (lambda d: _write(d, {"x.tar.gz": b"not gzip"}) / "x.tar.gz", "cannot read"),
    ],
)
def test_unusable_bundles_fail_to_load(tmp_path: Path, setup: Any, message: str) -> None:
    with pytest.raises(PolicyLoadError, match=message):
        WasmPolicy.load(setup(tmp_path))


def _write(directory: Path, files: dict[str, bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content)
    return directory


def test_unimplemented_builtin_fails_at_load() -> None:
    with pytest.raises(PolicyLoadError, match=r"does not implement: crypto\.sha256"):
        WasmPolicy.load(FIXTURES / "needs_sha256.tar.gz")


def test_missing_entrypoint_fails_at_load() -> None:
    with pytest.raises(PolicyLoadError, match="entrypoint blog/authz/decision"):
        WasmPolicy.load(FIXTURES / "wrong_entrypoint.tar.gz")


def test_old_abi_is_rejected(tmp_path: Path) -> None:
    import wasmtime

    wasm = wasmtime.wat2wasm(
        """(module (import "env" "memory" (memory 2))
             (global (export "opa_wasm_abi_version") i32 (i32.const 1))
             (global (export "opa_wasm_abi_minor_version") i32 (i32.const 1)))"""
    )
    with pytest.raises(PolicyLoadError, match=r"ABI 1\.1 is not supported"):
        WasmPolicy.load(_write(tmp_path, {"policy.wasm": bytes(wasm)}))


# -- evaluation --------------------------------------------------------------


def test_host_builtin_matches_rfc3339() -> None:
    fixture = WasmPolicy.load(FIXTURES / "host_builtin.tar.gz")
    assert fixture.evaluate({"now": "2025-06-01T12:00:00.5+02:00"})["reason"] == "before cutoff"
    assert fixture.evaluate({"now": "2031-01-01T00:00:00Z"})["reason"] == "after cutoff"
    # A builtin error is undefined in OPA, so the default applies.
    assert fixture.evaluate({"now": "yesterday"})["reason"] == "unparseable now"
    ns = fixture.query("blog/authz/now_ns", {"now": "1969-12-31T23:59:59.000000001Z"})
    assert ns == -999_999_999


def test_abort_raises_and_instance_recovers() -> None:
    fixture = WasmPolicy.load(FIXTURES / "conflict.tar.gz")
    fixture.memo_enabled = False
    with pytest.raises(PolicyEvalError, match="var assignment conflict"):
        fixture.evaluate({"a": True, "b": True})
    assert fixture.evaluate({"a": True})["reason"] == "a"


def test_input_must_be_json(policy: WasmPolicy) -> None:
    with pytest.raises(PolicyEvalError, match="not JSON"):
        policy.evaluate({"operation": object()})
    subject = dict(AUTHOR, id=uuid.UUID(AUTHOR_ID))
    assert policy.evaluate(_doc("getCurrentUser", subject))["allow"] is True


def test_large_input_grows_memory(policy: WasmPolicy) -> None:
    doc = _doc("getPost", AUTHOR, _draft(AUTHOR_ID)) | {"padding": "x" * 600_000}
    assert policy.evaluate(doc)["allow"] is True
    with pytest.raises(PolicyEvalError, match="bytes, above"):
        policy.evaluate({"padding": "x" * 2_000_000})
    assert policy.evaluate(_doc("getHealth", ANONYMOUS))["allow"] is True


def test_unknown_entrypoint(policy: WasmPolicy) -> None:
    with pytest.raises(PolicyEvalError, match="not in the policy"):
        policy.query("blog/authz/nope")


# -- memo ------------------------------------------------------------------


def test_memo_answers_identical_inputs() -> None:
    loaded = WasmPolicy.load(BUILD, memo=DecisionMemo(maxsize=2))
    doc = _doc("updatePost", AUTHOR, _draft(AUTHOR_ID))
    first = loaded.evaluate(doc)
    first["allow"] = "tampered"
    reordered = dict(reversed(list(doc.items())))
    assert loaded.evaluate(reordered) == {"allow": True, "hide": False, "reason": "owner"}
    assert len(loaded.memo) == 1
    assert loaded.evaluate(_doc("updatePost", EDITOR, _draft(AUTHOR_ID)))["reason"] == "staff"
    assert loaded.evaluate(_doc("updatePost", ANONYMOUS, _draft(AUTHOR_ID)))["allow"] is False
    assert len(loaded.memo) == 2


def test_memo_switch_off() -> None:
    loaded = WasmPolicy.load(BUILD)
    loaded.memo_enabled = False
    assert loaded.evaluate(_doc("getHealth", ANONYMOUS))["allow"] is True
    assert len(loaded.memo) == 0


def test_revision_change_invalidates_shared_memo() -> None:
    memo = DecisionMemo()
    doc = _doc("getHealth", ANONYMOUS)
    assert WasmPolicy.load(BUILD, memo=memo).evaluate(doc)["allow"] is True
    other = WasmPolicy.load(FIXTURES / "host_builtin.tar.gz", memo=memo)
    assert other.evaluate(doc)["reason"] == "before cutoff"
    assert len(memo) == 2


# -- concurrency -----------------------------------------------------------


@pytest.mark.parametrize("memo", [True, False])
def test_concurrent_evaluations(tmp_path: Path, memo: bool) -> None:
    shutil.copytree(BUILD, tmp_path / "b")
    loaded = WasmPolicy.load(tmp_path / "b")
    loaded.memo_enabled = memo
    cases = [
        (_doc("getPost", ANONYMOUS, _draft(AUTHOR_ID)), (False, True)),
        (_doc("getPost", AUTHOR, _draft(AUTHOR_ID)), (True, False)),
        (_doc("deletePost", EDITOR, _draft(AUTHOR_ID)), (True, False)),
        (_doc("createCategory", AUTHOR), (False, False)),
        (_doc("createCategory", EDITOR), (True, False)),
        (
            _doc("getJob", EDITOR, {"type": "job", "ownerId": AUTHOR_ID, "status": None}),
            (False, True),
        ),
    ]
    start = threading.Barrier(8)

    def worker(index: int) -> int:
        start.wait()
        wrong = 0
        for n in range(300):
            doc, expected = cases[(index + n) % len(cases)]
            decision = loaded.evaluate(doc)
            wrong += (decision["allow"], decision["hide"]) != expected
        return wrong

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(worker, range(8))) == 0
