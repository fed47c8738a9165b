"""Calling `opa_eval`: wasmtime's unchecked C entry point when it works here, else `Func.__call__`.

The public `Func.__call__` converts every parameter through wasmtime's `Val` (about 30 us per
i32, and opa_eval takes seven). The unchecked entry point takes a reused raw argument array
instead, the signature having been checked once at instantiation. It needs wasmtime's private
ctypes bindings, which is why wasmtime is pinned; when they are missing, or a probe call
through them disagrees with the public path, the portable call is used.
"""

from __future__ import annotations

import ctypes
import importlib
import logging
from typing import Any, Literal, NoReturn, Protocol

import msgspec
import wasmtime

from app.platform.authz.opa.abi import PAGE, PolicyEvalError, PolicyInstance

UNCHECKED_CALL = "wasmtime_func_call_unchecked"
_log = logging.getLogger(__name__)


class EvalCall(Protocol):
    """Evaluates an entrypoint on an input already encoded; answers the result set's JSON."""

    kind: Literal["fast", "portable"]

    def __call__(self, entrypoint_id: int, payload: bytes) -> bytes: ...


class FastCallUnavailable(Exception):
    """wasmtime's private API is missing or does not behave as this module expects."""


def select_call(instance: PolicyInstance, *, fast: bool = True) -> EvalCall:
    """The fast call unless told otherwise or unusable with this wasmtime; else the portable one."""
    if fast:
        try:
            return FastCall(instance)
        except FastCallUnavailable as exc:
            _log.warning("OPA host falls back to wasmtime's Func.__call__: %s", exc)
    return PortableCall(instance)


class PortableCall:
    kind: Literal["fast", "portable"] = "portable"

    def __init__(self, instance: PolicyInstance) -> None:
        self._instance = instance

    def __call__(self, entrypoint_id: int, payload: bytes) -> bytes:
        instance, store, size = self._instance, self._instance.store, len(payload)
        start = instance.input_addr
        instance.make_room(size)
        instance.memory.write(store, payload, start)
        try:
            result = instance.opa_eval(
                store, 0, entrypoint_id, instance.data_addr, start, size, start + size, 0
            )
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            raise PolicyEvalError(f"policy evaluation failed: {exc}") from exc
        return instance.read_cstring(store, int(result) & 0xFFFFFFFF)


class _Private(msgspec.Struct, frozen=True):
    val_raw_t: Any
    error_t: Any
    trap_t: Any
    error_from_ptr: Any
    trap_from_ptr: Any
    raise_host_exception: Any
    call_unchecked: Any
    memory_data: Any
    memory_data_size: Any


def _bind_private() -> _Private:
    try:
        ffi = importlib.import_module("wasmtime._ffi")
        func_module = importlib.import_module("wasmtime._func")
        lib = ctypes.CDLL(ffi.dll._name)
        # Own function objects: plain c_void_p/size_t results skip the pointer-object
        # conversions of wasmtime's wrappers (about 3 us per call).
        call_unchecked = getattr(lib, UNCHECKED_CALL)
        call_unchecked.restype = ctypes.c_void_p
        call_unchecked.argtypes = [ctypes.c_void_p] * 3 + [ctypes.c_size_t, ctypes.c_void_p]
        memory_data = lib.wasmtime_memory_data
        memory_data.restype = ctypes.c_void_p
        memory_data.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        memory_data_size = lib.wasmtime_memory_data_size
        memory_data_size.restype = ctypes.c_size_t
        memory_data_size.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        return _Private(
            val_raw_t=ffi.wasmtime_val_raw_t,
            error_t=ffi.wasmtime_error_t,
            trap_t=ffi.wasm_trap_t,
            error_from_ptr=wasmtime.WasmtimeError._from_ptr,
            trap_from_ptr=wasmtime.Trap._from_ptr,
            raise_host_exception=func_module.maybe_raise_last_exn,
            call_unchecked=call_unchecked,
            memory_data=memory_data,
            memory_data_size=memory_data_size,
        )
    except (ImportError, AttributeError, OSError, TypeError) as exc:
        raise FastCallUnavailable(f"{type(exc).__name__}: {exc}") from exc


class FastCall:
    kind: Literal["fast", "portable"] = "fast"

    def __init__(self, instance: PolicyInstance) -> None:
        api = _bind_private()
        self._api, self._instance = api, instance
        try:
            self._context = instance.store._context()
            self._memory_ref = ctypes.byref(instance.memory._memory)
            self._opa_eval_ref = ctypes.byref(instance.opa_eval._func)
            probe_ref = ctypes.byref(instance.export_func("opa_heap_ptr_get")._func)
        except (AttributeError, TypeError) as exc:
            raise FastCallUnavailable(f"{type(exc).__name__}: {exc}") from exc
        self._call_unchecked = api.call_unchecked
        self._memory_data_size = api.memory_data_size
        self._trap = ctypes.c_void_p()
        self._trap_ref = ctypes.byref(self._trap)
        self._args = (api.val_raw_t * 7)()
        self._args[2].i32 = instance.data_addr
        self._args[3].i32 = instance.input_addr
        self._args[6].i32 = 0
        self._refresh_memory()

        probe = (api.val_raw_t * 1)()
        error = self._call_unchecked(self._context, probe_ref, probe, 1, self._trap_ref)
        if error or self._trap.value or probe[0].i32 != instance.call("opa_heap_ptr_get"):
            raise FastCallUnavailable("a probe call disagrees with Func.__call__")

    def __call__(self, entrypoint_id: int, payload: bytes) -> bytes:
        size = len(payload)
        start = self._instance.input_addr
        if start + size + PAGE > self._mem_size:
            self._instance.make_room(size)
            self._refresh_memory()
        ctypes.memmove(self._mem_base + start, payload, size)
        args = self._args
        args[0].i32 = 0
        args[1].i32 = entrypoint_id
        args[4].i32 = size
        args[5].i32 = start + size
        error = self._call_unchecked(self._context, self._opa_eval_ref, args, 7, self._trap_ref)
        if error or self._trap.value:
            self._fail(error)
        # The guest grows memory itself while evaluating; the base may move.
        if self._memory_data_size(self._context, self._memory_ref) != self._mem_size:
            self._refresh_memory()
        addr = args[0].i32 & 0xFFFFFFFF
        if addr >= self._mem_size:
            raise PolicyEvalError(f"policy returned an address outside its memory: {addr}")
        return ctypes.string_at(self._mem_base + addr)

    def _refresh_memory(self) -> None:
        self._mem_base: int = self._api.memory_data(self._context, self._memory_ref) or 0
        self._mem_size: int = self._memory_data_size(self._context, self._memory_ref)

    def _fail(self, error: int | None) -> NoReturn:
        api = self._api
        if error:
            detail = str(api.error_from_ptr(ctypes.cast(error, ctypes.POINTER(api.error_t))))
        else:
            trap = ctypes.cast(self._trap.value or 0, ctypes.POINTER(api.trap_t))
            detail = api.trap_from_ptr(trap).message
        # Re-raises what a host callback raised (opa_abort: PolicyEvalError).
        self._api.raise_host_exception()
        raise PolicyEvalError(f"policy evaluation failed: {detail}")
