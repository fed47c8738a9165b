"""Reading bundles (directory or .tar.gz) and compiling their module, with the artifact cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.platform.authz import ENTRYPOINT
from app.platform.authz.opa import OpaPolicy, PolicyLoadError
from tests.platform.authz.opa.inputs import AUTHOR, BUILD, doc, draft, tarball, write


def test_loads_tarball_with_manifest_revision(tmp_path: Path) -> None:
    files = {name: (BUILD / name).read_bytes() for name in ("policy.wasm", "data.json")}
    files[".manifest"] = b'{"revision": "r42", "roots": [""]}'
    loaded = OpaPolicy.load(tarball(tmp_path, files))
    assert loaded.revision == "r42"
    assert loaded.eval(ENTRYPOINT, doc("createPost", AUTHOR))["allow"] is True


def test_compiled_module_cache(tmp_path: Path) -> None:
    first = OpaPolicy.load(BUILD, cache_dir=tmp_path / "cache")
    artifacts = list((tmp_path / "cache").glob("*.cwasm"))
    assert len(artifacts) == 1
    second = OpaPolicy.load(BUILD, cache_dir=tmp_path / "cache")
    updating = doc("updatePost", AUTHOR, draft("00000000-0000-4000-8000-00000000000e"))
    assert (
        first.eval(ENTRYPOINT, updating)
        == second.eval(ENTRYPOINT, updating)
        == {
            "allow": False,
            "hide": True,
            "reason": "not visible",
        }
    )
    artifacts[0].write_bytes(b"stale")
    reloaded = OpaPolicy.load(BUILD, cache_dir=tmp_path / "cache")
    assert reloaded.eval(ENTRYPOINT, updating)["hide"] is True


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "absent", "does not exist"),
        (lambda d: write(d / "b", {"data.json": b"{}"}), "policy.wasm not found"),
        (lambda d: write(d / "b", {"policy.wasm": b"\0asm garbage"}), "not a valid wasm"),
        (lambda d: write(d / "b", {"policy.wasm": b"", "data.json": b"{"}), "data.json"),
        (lambda d: write(d / "b", {"policy.wasm": b"", ".manifest": b"["}), ".manifest"),
        (lambda d: write(d, {"x.zip": b"PK"}) / "x.zip", "neither a directory"),
        (lambda d: write(d, {"x.tar.gz": b"not gzip"}) / "x.tar.gz", "cannot read"),
    ],
)
def test_unusable_bundles_fail_to_load(tmp_path: Path, setup: Any, message: str) -> None:
    with pytest.raises(PolicyLoadError, match=message):
        OpaPolicy.load(setup(tmp_path))
