"""In-process host for the OPA policy compiled to wasm (ABI 1.2+), on wasmtime.

One decision is one `opa_eval` call: the input JSON is copied to a fixed
region right after the parsed data, the heap is reset to just past it, and
the result string is read back. The call goes through wasmtime's unchecked
C entry point with a reused argument array, because the generic
`Func.__call__` spends ~30 us per parameter on type conversion (the
signature is verified once at load instead). wasmtime is pinned for this.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime import _func as wasmtime_func

from app.platform.authz.wasm_builtins import HOST_BUILTINS
from app.platform.authz.wasm_bundle import Bundle, PolicyLoadError, compile_module, read_bundle
from app.platform.authz.wasm_memo import DecisionMemo

__all__ = ["DecisionMemo", "PolicyEvalError", "PolicyLoadError", "WasmPolicy"]

ENTRYPOINT = "blog/authz/decision"
MAX_INPUT_BYTES = 1 << 20
_PAGE = 65536
_I32 = wasmtime.ValType.i32()
_log = logging.getLogger(__name__)

# Own function objects for the hot path: plain c_void_p/size_t results skip
# the pointer-object conversions of wasmtime's wrappers (~3 us per call).
_lib = ctypes.CDLL(ffi.dll._name)
_func_call_unchecked = _lib.wasmtime_func_call_unchecked
_func_call_unchecked.restype = ctypes.c_void_p
_func_call_unchecked.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_size_t, ctypes.c_void_p]
_memory_data = _lib.wasmtime_memory_data
_memory_data.restype = ctypes.c_void_p
_memory_data.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_memory_data_size = _lib.wasmtime_memory_data_size
_memory_data_size.restype = ctypes.c_size_t
_memory_data_size.argtypes = [ctypes.c_void_p, ctypes.c_void_p]


class PolicyEvalError(Exception):
    """The policy could not produce a decision (trap, abort, bad result)."""


class WasmPolicy:
    def __init__(
        self,
        bundle: Bundle,
        engine: wasmtime.Engine,
        module: wasmtime.Module,
        memo: DecisionMemo | None,
    ) -> None:
        self._bundle = bundle
        self._engine = engine
        self._module = module
        self.memo = memo if memo is not None else DecisionMemo()
        self.memo_enabled = True
        self._lock = threading.RLock()
        self._instantiate()

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        memo: DecisionMemo | None = None,
        cache_dir: str | Path | None = None,
    ) -> WasmPolicy:
        bundle = read_bundle(path)
        engine = wasmtime.Engine()
        module = compile_module(engine, bundle.wasm, Path(cache_dir) if cache_dir else None)
        try:
            return cls(bundle, engine, module, memo)
        except PolicyLoadError as exc:
            raise PolicyLoadError(f"policy bundle {path}: {exc}") from exc

    @property
    def revision(self) -> str:
        return self._bundle.revision

    @property
    def entrypoints(self) -> dict[str, int]:
        return dict(self._entrypoints)

    def evaluate(self, input: Mapping[str, Any]) -> dict[str, Any]:
        """The decision for one request; a fresh dict the caller may keep."""
        text = _canonical_json(input)
        key = (self._bundle.digest, text)
        use_memo = self.memo_enabled
        if use_memo:
            hit = self.memo.get(key)
            if hit is not None:
                return dict(hit)
        decision = _decision_from(self._eval(self._decision_id, text.encode()))
        if use_memo:
            self.memo.put(key, decision)
        return dict(decision)

    def query(self, entrypoint: str, input: Any = None) -> Any:
        """Evaluate any compiled entrypoint (no memo); None when undefined."""
        if entrypoint not in self._entrypoints:
            raise PolicyEvalError(f"entrypoint {entrypoint} is not in the policy")
        payload = _canonical_json(input).encode()
        result = self._eval(self._entrypoints[entrypoint], payload)
        return result[0]["result"] if result else None

    # -- evaluation -------------------------------------------------------

    def _eval(self, entrypoint_id: int, payload: bytes) -> list[Any]:
        size = len(payload)
        if size > MAX_INPUT_BYTES:
            raise PolicyEvalError(f"policy input is {size} bytes, above {MAX_INPUT_BYTES}")
        with self._lock:
            context = self._context
            start = self._input_addr
            if start + size + _PAGE > self._mem_size:
                self._memory.grow(self._store, (size + 2 * _PAGE) // _PAGE)
                self._refresh_memory()
            ctypes.memmove(self._mem_base + start, payload, size)
            args = self._args
            args[0].i32 = 0
            args[1].i32 = entrypoint_id
            args[4].i32 = size
            args[5].i32 = start + size
            error = _func_call_unchecked(context, self._opa_eval_ref, args, 7, self._trap_ref)
            if error or self._trap.value:
                self._fail(error)
            # The guest grows memory itself while evaluating; the base may move.
            if _memory_data_size(context, self._memory_ref) != self._mem_size:
                self._refresh_memory()
            out = ctypes.string_at(self._mem_base + (args[0].i32 & 0xFFFFFFFF))
        try:
            parsed = json.loads(out)
        except ValueError as exc:
            raise PolicyEvalError(f"policy returned invalid JSON: {exc}") from exc
        if not isinstance(parsed, list):
            raise PolicyEvalError("policy returned a non-array result set")
        return parsed

    def _fail(self, error: int | None) -> None:
        if error:
            pointer: Any = ctypes.cast(error, ctypes.POINTER(ffi.wasmtime_error_t))
            detail = str(wasmtime.WasmtimeError._from_ptr(pointer))
        else:
            pointer = ctypes.cast(self._trap.value or 0, ctypes.POINTER(ffi.wasm_trap_t))
            detail = wasmtime.Trap._from_ptr(pointer).message
        try:
            # Re-raises what a host callback raised (opa_abort: PolicyEvalError).
            wasmtime_func.maybe_raise_last_exn()
        finally:
            # The guest heap after a trap is in an unknown state.
            self._instantiate()
        raise PolicyEvalError(f"policy evaluation failed: {detail}")

    def _refresh_memory(self) -> None:
        self._mem_base: int = _memory_data(self._context, self._memory_ref) or 0
        self._mem_size: int = _memory_data_size(self._context, self._memory_ref)

    # -- instantiation ----------------------------------------------------

    def _instantiate(self) -> None:
        store = wasmtime.Store(self._engine)
        imports: list[wasmtime.Func | wasmtime.Memory] = []
        memory: wasmtime.Memory | None = None
        for imp in self._module.imports:
            if imp.module != "env" or imp.name is None:
                raise PolicyLoadError(f"unexpected import {imp.module}.{imp.name}")
            if isinstance(imp.type, wasmtime.MemoryType):
                pages = max(imp.type.limits.min, 2)
                memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(pages, None)))
                imports.append(memory)
            elif isinstance(imp.type, wasmtime.FuncType):
                imports.append(self._host_function(store, imp.name, imp.type))
            else:
                raise PolicyLoadError(f"unexpected import env.{imp.name}")
        if memory is None:
            raise PolicyLoadError("module does not import env.memory: not an OPA policy")
        try:
            instance = wasmtime.Instance(store, self._module, imports)
        except (wasmtime.WasmtimeError, wasmtime.Trap) as exc:
            raise PolicyLoadError(f"cannot instantiate policy.wasm: {exc}") from exc
        exports = instance.exports(store)
        funcs = {name: exports[name] for name in exports}
        self._store, self._memory, self._funcs = store, memory, funcs

        major, minor = (
            self._global(name) for name in ("opa_wasm_abi_version", "opa_wasm_abi_minor_version")
        )
        if major != 1 or minor < 2:
            raise PolicyLoadError(f"OPA wasm ABI {major}.{minor} is not supported (need 1.2+)")
        opa_eval = funcs.get("opa_eval")
        if not isinstance(opa_eval, wasmtime.Func) or not _is_i32_signature(
            opa_eval.type(store), 7
        ):
            raise PolicyLoadError("export opa_eval is missing or has an unexpected signature")

        self._entrypoints = self._dump_json(self._call("entrypoints"))
        if ENTRYPOINT not in self._entrypoints:
            raise PolicyLoadError(f"entrypoint {ENTRYPOINT} is not compiled into the policy")
        self._decision_id = self._entrypoints[ENTRYPOINT]
        needed: dict[str, int] = self._dump_json(self._call("builtins"))
        missing = sorted(set(needed) - set(HOST_BUILTINS))
        if missing:
            raise PolicyLoadError(
                f"policy needs builtins the host does not implement: {', '.join(missing)}"
            )
        self._builtin_impls = {bid: HOST_BUILTINS[name] for name, bid in needed.items()}

        data_addr = self._parse_json(store, self._bundle.data)
        if data_addr == 0:
            raise PolicyLoadError("data.json could not be parsed by the policy")
        self._input_addr = int(self._call("opa_heap_ptr_get"))
        self._context = store._context()
        self._memory_ref = ctypes.byref(memory._memory)
        self._refresh_memory()
        self._opa_eval_ref = ctypes.byref(opa_eval._func)
        self._trap = ctypes.c_void_p()
        self._trap_ref = ctypes.byref(self._trap)
        self._args = (ffi.wasmtime_val_raw_t * 7)()
        self._args[2].i32 = data_addr
        self._args[3].i32 = self._input_addr
        self._args[6].i32 = 0

    def _global(self, name: str) -> int:
        glob = self._funcs.get(name)
        if not isinstance(glob, wasmtime.Global):
            raise PolicyLoadError(f"export {name} is missing: module built by OPA older than 0.27?")
        return int(glob.value(self._store))

    def _call(
        self,
        name: str,
        *args: int,
        store: wasmtime.Store | wasmtime.Caller | None = None,
    ) -> Any:
        func = self._funcs.get(name)
        if not isinstance(func, wasmtime.Func):
            raise PolicyLoadError(f"export {name} is missing")
        return func(store or self._store, *args)

    def _read_cstring(self, store: wasmtime.Store | wasmtime.Caller, addr: int) -> bytes:
        base = _memory_data(store._context(), ctypes.byref(self._memory._memory))
        return ctypes.string_at((base or 0) + addr)

    def _dump_json(
        self, value_addr: int, store: wasmtime.Store | wasmtime.Caller | None = None
    ) -> Any:
        store = store or self._store
        return json.loads(
            self._read_cstring(store, self._call("opa_json_dump", value_addr, store=store))
        )

    def _parse_json(self, store: wasmtime.Store | wasmtime.Caller, payload: bytes) -> int:
        addr = int(self._call("opa_malloc", len(payload), store=store))
        self._memory.write(store, payload, addr)
        return int(self._call("opa_json_parse", addr, len(payload), store=store))

    def _host_function(
        self, store: wasmtime.Store, name: str, ftype: wasmtime.FuncType
    ) -> wasmtime.Func:
        callback: Callable[..., Any]
        if name == "opa_abort":
            callback = self._on_abort
        elif name == "opa_println":
            callback = self._on_println
        elif name.startswith("opa_builtin") and name[len("opa_builtin") :].isdigit():
            callback = self._on_builtin
        else:
            raise PolicyLoadError(f"unexpected import env.{name}")
        return wasmtime.Func(store, ftype, callback, access_caller=True)

    def _on_abort(self, caller: wasmtime.Caller, addr: int) -> None:
        message = self._read_cstring(caller, addr).decode(errors="replace")
        raise PolicyEvalError(f"policy aborted: {message}")

    def _on_println(self, caller: wasmtime.Caller, addr: int) -> None:
        _log.info("policy: %s", self._read_cstring(caller, addr).decode(errors="replace"))

    def _on_builtin(
        self, caller: wasmtime.Caller, builtin_id: int, _ctx: int, *arg_addrs: int
    ) -> int:
        impl = self._builtin_impls[builtin_id]
        args = [self._dump_json(addr, caller) for addr in arg_addrs]
        try:
            result = impl(*args)
        except (ValueError, TypeError, OverflowError):
            return 0
        return self._parse_json(caller, json.dumps(result).encode())


def _canonical_json(value: Any) -> str:
    try:
        return json.dumps(
            value,
            sort_keys=True,
            separators=(",", ":"),
            allow_nan=False,
            default=_json_default,
        )
    except (TypeError, ValueError) as exc:
        raise PolicyEvalError(f"policy input is not JSON: {exc}") from exc


def _json_default(value: Any) -> str:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not allowed in policy input")


def _is_i32_signature(ftype: wasmtime.FuncType, params: int) -> bool:
    return [str(p) for p in ftype.params] == [str(_I32)] * params and [
        str(r) for r in ftype.results
    ] == [str(_I32)]


def _decision_from(result: list[Any]) -> dict[str, Any]:
    if not result:
        return {"allow": False, "hide": False, "reason": "undefined decision"}
    value = result[0].get("result") if isinstance(result[0], dict) else None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("allow"), bool)
        or not isinstance(value.get("hide"), bool)
        or not isinstance(value.get("reason"), str)
        or not isinstance(value.get("visibility", ""), str)
    ):
        raise PolicyEvalError(f"policy returned a malformed decision: {value!r}")
    decision = {
        "allow": value["allow"],
        "hide": value["hide"],
        "reason": value["reason"],
    }
    if "visibility" in value:
        decision["visibility"] = value["visibility"]
    return decision
