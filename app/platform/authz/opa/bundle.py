"""Reading an OPA wasm bundle (directory or .tar.gz) and compiling its module."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import msgspec
import wasmtime


class PolicyLoadError(Exception):
    """The policy bundle cannot be used; the app must not start with it."""


class Bundle(msgspec.Struct, frozen=True):
    wasm: bytes
    data: bytes
    manifest: dict[str, Any]
    digest: str

    @property
    def revision(self) -> str:
        rev = self.manifest.get("revision")
        return rev if isinstance(rev, str) and rev else self.digest


def read_bundle(path: str | Path) -> Bundle:
    path = Path(path)
    files: _DirFiles | _TarFiles
    if path.is_dir():
        files = _DirFiles(path)
    elif path.is_file() and path.name.endswith((".tar.gz", ".tgz")):
        files = _TarFiles(path)
    elif path.exists():
        raise PolicyLoadError(f"policy bundle {path} is neither a directory nor a .tar.gz")
    else:
        raise PolicyLoadError(f"policy bundle {path} does not exist")

    manifest_raw = files.read(".manifest")
    manifest: dict[str, Any] = {}
    if manifest_raw is not None:
        try:
            parsed = json.loads(manifest_raw)
        except ValueError as exc:
            raise PolicyLoadError(f"{path}: .manifest is not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise PolicyLoadError(f"{path}: .manifest is not a JSON object")
        manifest = parsed
    modules = {str(w.get("module", "")).lstrip("/") for w in manifest.get("wasm", [])}
    modules.discard("")
    if len(modules) > 1:
        raise PolicyLoadError(f"{path}: bundles with several wasm modules are not supported")
    module_name = modules.pop() if modules else "policy.wasm"

    wasm = files.read(module_name)
    if wasm is None:
        raise PolicyLoadError(f"{path}: {module_name} not found in the bundle")
    data = files.read("data.json") or b"{}"
    try:
        json.loads(data)
    except ValueError as exc:
        raise PolicyLoadError(f"{path}: data.json is not valid JSON: {exc}") from exc
    digest = hashlib.sha256(wasm + b"\0" + data).hexdigest()
    return Bundle(wasm=wasm, data=data, manifest=manifest, digest="sha256:" + digest[:24])


class _DirFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, name: str) -> bytes | None:
        target = self.root / name
        return target.read_bytes() if target.is_file() else None


class _TarFiles:
    def __init__(self, archive: Path) -> None:
        # Imported here: only a .tar.gz bundle needs it, and it costs a cold start about 5 ms.
        import tarfile

        self.members: dict[str, bytes] = {}
        try:
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar:
                    if member.isfile():
                        extracted = tar.extractfile(member)
                        if extracted is not None:
                            self.members[member.name.lstrip("/")] = extracted.read()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise PolicyLoadError(f"cannot read policy bundle {archive}: {exc}") from exc

    def read(self, name: str) -> bytes | None:
        return self.members.get(name)


def compile_module(engine: wasmtime.Engine, wasm: bytes, cache_dir: Path | None) -> wasmtime.Module:
    """Compile, or reuse a serialized artifact: compiling takes ~100 ms, loading ~1 ms.

    Artifacts are only valid for the same wasmtime version, engine config and
    CPU, hence the key. The cache directory must be trusted: deserializing an
    artifact runs its machine code.
    """
    cached: Path | None = None
    if cache_dir is not None:
        key = hashlib.sha256(wasm).hexdigest()[:32]
        cached = cache_dir / f"{key}-wasmtime{version('wasmtime')}-{platform.machine()}.cwasm"
        if cached.is_file():
            try:
                # Read into memory, not mapped: a mapped artifact that is later rewritten
                # or truncated kills the process with SIGBUS.
                return wasmtime.Module.deserialize(engine, cached.read_bytes())
            except wasmtime.WasmtimeError:
                pass
    try:
        module = wasmtime.Module(engine, wasm)
    except wasmtime.WasmtimeError as exc:
        raise PolicyLoadError(f"policy.wasm is not a valid wasm module: {exc}") from exc
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(module.serialize())
            os.replace(tmp, cached)
        except OSError:
            pass
    return module
