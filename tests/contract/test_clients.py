"""The shipped SDKs (clients/, written by `make gen`) are versioned as the contract they serve."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def contract_version() -> str:
    version: str = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())["info"]["version"]
    return version


def test_the_python_client_has_the_contract_version() -> None:
    project = tomllib.loads((ROOT / "clients" / "python" / "pyproject.toml").read_text())
    assert project["project"]["version"] == contract_version()


def test_the_typescript_client_has_the_contract_version() -> None:
    package = json.loads((ROOT / "clients" / "typescript" / "package.json").read_text())
    assert package["version"] == contract_version()
