"""The in-process OPA host: a compiled policy bundle, evaluated one entrypoint call at a time."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import wasmtime

from app.platform.authz.opa.abi import PolicyEvalError, PolicyInstance
from app.platform.authz.opa.bundle import Bundle, PolicyLoadError, compile_module, read_bundle
from app.platform.authz.opa.fastcall import EvalCall, select_call

MAX_INPUT_BYTES = 1 << 20


class OpaPolicy:
    """One instance of the policy, used under a lock; rebuilt after a trap."""

    def __init__(
        self,
        bundle: Bundle,
        engine: wasmtime.Engine,
        module: wasmtime.Module,
        *,
        require: Iterable[str] = (),
        fast_call: bool = True,
    ) -> None:
        self._bundle, self._engine, self._module = bundle, engine, module
        self._fast_call = fast_call
        self._lock = threading.Lock()
        self._instantiate()
        self._entrypoints = dict(self._instance.entrypoints)
        for entrypoint in require:
            if entrypoint not in self._entrypoints:
                raise PolicyLoadError(f"entrypoint {entrypoint} is not compiled into the policy")

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        cache_dir: str | Path | None = None,
        require: Iterable[str] = (),
        fast_call: bool = True,
    ) -> OpaPolicy:
        """The bundle at path (directory or .tar.gz); fails unless every `require`d entrypoint
        is compiled in. `fast_call=False` forces wasmtime's public call path."""
        bundle = read_bundle(path)
        engine = wasmtime.Engine()
        module = compile_module(engine, bundle.wasm, Path(cache_dir) if cache_dir else None)
        try:
            return cls(bundle, engine, module, require=require, fast_call=fast_call)
        except PolicyLoadError as exc:
            raise PolicyLoadError(f"policy bundle {path}: {exc}") from exc

    @property
    def revision(self) -> str:
        return self._bundle.revision

    @property
    def entrypoints(self) -> dict[str, int]:
        return dict(self._entrypoints)

    @property
    def call_kind(self) -> Literal["fast", "portable"]:
        return self._call.kind

    def eval(self, entrypoint: str, input: Any) -> Any:
        """The entrypoint's value for this input; None when it is undefined."""
        entrypoint_id = self._entrypoints.get(entrypoint)
        if entrypoint_id is None:
            raise PolicyEvalError(f"entrypoint {entrypoint} is not in the policy")
        payload = _encode(input)
        if len(payload) > MAX_INPUT_BYTES:
            raise PolicyEvalError(f"policy input is {len(payload)} bytes, above {MAX_INPUT_BYTES}")
        with self._lock:
            try:
                out = self._call(entrypoint_id, payload)
            except Exception:
                # The guest heap after a trap is in an unknown state.
                self._instantiate()
                raise
        return _result_value(out)

    def _instantiate(self) -> None:
        self._instance = PolicyInstance(self._engine, self._module, self._bundle.data)
        self._call: EvalCall = select_call(self._instance, fast=self._fast_call)


def _encode(value: Any) -> bytes:
    try:
        text = json.dumps(value, separators=(",", ":"), allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise PolicyEvalError(f"policy input is not JSON: {exc}") from exc
    return text.encode()


def _json_default(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not allowed in policy input")


def _result_value(out: bytes) -> Any:
    try:
        results = json.loads(out)
    except ValueError as exc:
        raise PolicyEvalError(f"policy returned invalid JSON: {exc}") from exc
    if not isinstance(results, list):
        raise PolicyEvalError("policy returned a non-array result set")
    if not results:
        return None
    first = results[0]
    if not isinstance(first, dict) or "result" not in first:
        raise PolicyEvalError(f"policy returned a malformed result set: {first!r}")
    return first["result"]
