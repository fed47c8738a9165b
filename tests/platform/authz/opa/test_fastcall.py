"""The fast call of opa_eval is the default, and the portable call answers exactly as it does."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
import wasmtime

from app.platform.authz import ENTRYPOINT
from app.platform.authz.opa import OpaPolicy, bundle, fastcall
from app.platform.authz.opa.abi import PolicyInstance
from tests.opa.test_authz_decisions import CASES
from tests.platform.authz.opa.inputs import ANONYMOUS, AUTHOR, AUTHOR_ID, BUILD, doc, draft


@pytest.fixture(scope="module")
def instance() -> PolicyInstance:
    read = bundle.read_bundle(BUILD)
    engine = wasmtime.Engine()
    return PolicyInstance(engine, bundle.compile_module(engine, read.wasm, None), read.data)


def test_select_call_prefers_the_fast_call(instance: PolicyInstance) -> None:
    assert fastcall.select_call(instance).kind == "fast"
    assert fastcall.select_call(instance, fast=False).kind == "portable"
    assert OpaPolicy.load(BUILD).call_kind == "fast"


def test_both_calls_answer_the_same_raw_result_sets(instance: PolicyInstance) -> None:
    fast, portable = fastcall.FastCall(instance), fastcall.PortableCall(instance)
    for entrypoint_id in instance.entrypoints.values():
        payload = b'{"operation":"getPost","subject":null,"resource":null}'
        assert fast(entrypoint_id, payload) == portable(entrypoint_id, payload)


def test_portable_call_gives_the_same_decisions() -> None:
    fast = OpaPolicy.load(BUILD)
    portable = OpaPolicy.load(BUILD, fast_call=False)
    assert (fast.call_kind, portable.call_kind) == ("fast", "portable")
    inputs = [case.values[0] for case in CASES]
    assert len(inputs) > 100
    assert [portable.eval(ENTRYPOINT, i) for i in inputs] == [
        fast.eval(ENTRYPOINT, i) for i in inputs
    ]
    operations = "blog/authz/operations"
    assert portable.eval(operations, None) == fast.eval(operations, None)


def _hide_ffi_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "wasmtime._ffi", None)


def _hide_unchecked_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastcall, "UNCHECKED_CALL", "wasmtime_func_call_unchecked_removed")


@pytest.mark.parametrize("hide", [_hide_ffi_module, _hide_unchecked_call])
def test_host_falls_back_when_the_private_api_is_missing(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    instance: PolicyInstance,
    hide: Callable[[pytest.MonkeyPatch], None],
) -> None:
    hide(monkeypatch)
    with pytest.raises(fastcall.FastCallUnavailable):
        fastcall.FastCall(instance)

    loaded = OpaPolicy.load(BUILD)

    assert loaded.call_kind == "portable"
    assert "falls back to wasmtime's Func.__call__" in caplog.text
    assert loaded.eval(ENTRYPOINT, doc("getPost", ANONYMOUS, draft(AUTHOR_ID)))["hide"] is True
    assert loaded.eval(ENTRYPOINT, doc("updatePost", AUTHOR, draft(AUTHOR_ID)))["allow"] is True
