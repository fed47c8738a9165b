"""One instance of an OPA policy module (wasm ABI 1.2+): imports, exports, memory, JSON values.

Only wasmtime's public API is used here; the fast call of `opa_eval` lives in fastcall.py.
"""

from __future__ import annotations

import ctypes
import json
import logging
from collections.abc import Callable
from typing import Any

import wasmtime

from app.platform.authz.opa.builtins import HOST_BUILTINS
from app.platform.authz.opa.bundle import PolicyLoadError

PAGE = 65536
_I32 = str(wasmtime.ValType.i32())
_log = logging.getLogger(__name__)

Storelike = wasmtime.Store | wasmtime.Caller


class PolicyEvalError(Exception):
    """The policy could not produce a result (trap, abort, bad result)."""


class PolicyInstance:
    """The module instantiated in a fresh store, with data.json parsed into its heap.

    Inputs go at `input_addr`, just past the parsed data: evaluating there resets the heap on
    every call, so memory does not grow across calls.
    """

    def __init__(self, engine: wasmtime.Engine, module: wasmtime.Module, data: bytes) -> None:
        self.store = wasmtime.Store(engine)
        self.memory, imports = self._imports(module)
        try:
            instance = wasmtime.Instance(self.store, module, imports)
        except (wasmtime.WasmtimeError, wasmtime.Trap) as exc:
            raise PolicyLoadError(f"cannot instantiate policy.wasm: {exc}") from exc
        exports = instance.exports(self.store)
        self._exports = {name: exports[name] for name in exports}

        major, minor = (
            self._global(name) for name in ("opa_wasm_abi_version", "opa_wasm_abi_minor_version")
        )
        if major != 1 or minor < 2:
            raise PolicyLoadError(f"OPA wasm ABI {major}.{minor} is not supported (need 1.2+)")
        self.opa_eval = self.export_func("opa_eval")
        ftype = self.opa_eval.type(self.store)
        signature = ([str(p) for p in ftype.params], [str(r) for r in ftype.results])
        if signature != ([_I32] * 7, [_I32]):
            raise PolicyLoadError("export opa_eval has an unexpected signature")

        self.entrypoints: dict[str, int] = self.dump_json(self.store, self.call("entrypoints"))
        needed: dict[str, int] = self.dump_json(self.store, self.call("builtins"))
        missing = sorted(set(needed) - set(HOST_BUILTINS))
        if missing:
            raise PolicyLoadError(
                f"policy needs builtins the host does not implement: {', '.join(missing)}"
            )
        self._builtins = {bid: HOST_BUILTINS[name] for name, bid in needed.items()}

        self.data_addr = self.parse_json(self.store, data)
        if self.data_addr == 0:
            raise PolicyLoadError("data.json could not be parsed by the policy")
        self.input_addr = int(self.call("opa_heap_ptr_get"))

    def export_func(self, name: str) -> wasmtime.Func:
        func = self._exports.get(name)
        if not isinstance(func, wasmtime.Func):
            raise PolicyLoadError(f"export {name} is missing")
        return func

    def call(self, name: str, *args: int, store: Storelike | None = None) -> Any:
        return self.export_func(name)(store or self.store, *args)

    def make_room(self, size: int) -> None:
        """Grow memory so an input of `size` bytes, and a page of heap, fit at input_addr."""
        if self.input_addr + size + PAGE > self.memory.data_len(self.store):
            self.memory.grow(self.store, (size + 2 * PAGE) // PAGE)

    def read_cstring(self, store: Storelike, addr: int) -> bytes:
        if not 0 <= addr < self.memory.data_len(store):
            raise PolicyEvalError(f"policy returned an address outside its memory: {addr}")
        return ctypes.string_at(ctypes.addressof(self.memory.data_ptr(store).contents) + addr)

    def dump_json(self, store: Storelike, value_addr: int) -> Any:
        return json.loads(
            self.read_cstring(store, self.call("opa_json_dump", value_addr, store=store))
        )

    def parse_json(self, store: Storelike, payload: bytes) -> int:
        addr = int(self.call("opa_malloc", len(payload), store=store))
        self.memory.write(store, payload, addr)
        return int(self.call("opa_json_parse", addr, len(payload), store=store))

    def _global(self, name: str) -> int:
        glob = self._exports.get(name)
        if not isinstance(glob, wasmtime.Global):
            raise PolicyLoadError(f"export {name} is missing: module built by OPA older than 0.27?")
        return int(glob.value(self.store))

    def _imports(
        self, module: wasmtime.Module
    ) -> tuple[wasmtime.Memory, list[wasmtime.Func | wasmtime.Memory]]:
        imports: list[wasmtime.Func | wasmtime.Memory] = []
        memory: wasmtime.Memory | None = None
        for imp in module.imports:
            if imp.module != "env" or imp.name is None:
                raise PolicyLoadError(f"unexpected import {imp.module}.{imp.name}")
            if isinstance(imp.type, wasmtime.MemoryType):
                pages = max(imp.type.limits.min, 2)
                limits = wasmtime.Limits(pages, None)
                memory = wasmtime.Memory(self.store, wasmtime.MemoryType(limits))
                imports.append(memory)
            elif isinstance(imp.type, wasmtime.FuncType):
                callback = self._host_callback(imp.name)
                imports.append(wasmtime.Func(self.store, imp.type, callback, access_caller=True))
            else:
                raise PolicyLoadError(f"unexpected import env.{imp.name}")
        if memory is None:
            raise PolicyLoadError("module does not import env.memory: not an OPA policy")
        return memory, imports

    def _host_callback(self, name: str) -> Callable[..., Any]:
        if name == "opa_abort":
            return self._on_abort
        if name == "opa_println":
            return self._on_println
        if name.startswith("opa_builtin") and name[len("opa_builtin") :].isdigit():
            return self._on_builtin
        raise PolicyLoadError(f"unexpected import env.{name}")

    def _on_abort(self, caller: wasmtime.Caller, addr: int) -> None:
        message = self.read_cstring(caller, addr).decode(errors="replace")
        raise PolicyEvalError(f"policy aborted: {message}")

    def _on_println(self, caller: wasmtime.Caller, addr: int) -> None:
        _log.info("policy: %s", self.read_cstring(caller, addr).decode(errors="replace"))

    def _on_builtin(
        self, caller: wasmtime.Caller, builtin_id: int, _ctx: int, *arg_addrs: int
    ) -> int:
        impl = self._builtins[builtin_id]
        args = [self.dump_json(caller, addr) for addr in arg_addrs]
        try:
            result = impl(*args)
        except (ValueError, TypeError, OverflowError):
            return 0
        return self.parse_json(caller, json.dumps(result).encode())
