"""Instantiating a policy module: the ABI version, imports and builtins it may ask for."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

from app.platform.authz.opa import OpaPolicy, PolicyLoadError
from tests.platform.authz.opa.inputs import FIXTURES, write


def test_unimplemented_builtin_fails_at_load() -> None:
    with pytest.raises(PolicyLoadError, match=r"does not implement: crypto\.sha256"):
        OpaPolicy.load(FIXTURES / "needs_sha256.tar.gz")


def test_old_abi_is_rejected(tmp_path: Path) -> None:
    wasm = wasmtime.wat2wasm(
        """(module (import "env" "memory" (memory 2))
             (global (export "opa_wasm_abi_version") i32 (i32.const 1))
             (global (export "opa_wasm_abi_minor_version") i32 (i32.const 1)))"""
    )
    with pytest.raises(PolicyLoadError, match=r"ABI 1\.1 is not supported"):
        OpaPolicy.load(write(tmp_path, {"policy.wasm": bytes(wasm)}))


@pytest.mark.parametrize(
    ("wat", "message"),
    [
        ("(module)", "does not import env.memory"),
        ('(module (import "wasi" "fd_write" (func)))', "unexpected import wasi.fd_write"),
        ('(module (import "env" "opa_open" (func)))', "unexpected import env.opa_open"),
    ],
)
def test_modules_that_are_not_opa_policies_are_rejected(
    tmp_path: Path, wat: str, message: str
) -> None:
    wasm = wasmtime.wat2wasm(wat)
    with pytest.raises(PolicyLoadError, match=message):
        OpaPolicy.load(write(tmp_path, {"policy.wasm": bytes(wasm)}))
