"""Bundles and input documents the host tests share."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[4]
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


def doc(op: str, subject: dict[str, Any], resource: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "operation": op,
        "subject": subject,
        "resource": resource,
        "now": "2025-06-01T12:00:00Z",
    }


def draft(owner: str | None) -> dict[str, Any]:
    return {"type": "post", "ownerId": owner, "status": "draft"}


def write(directory: Path, files: dict[str, bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content)
    return directory


def tarball(tmp_path: Path, files: dict[str, bytes]) -> Path:
    path = tmp_path / "bundle.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo("/" + name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path
