"""The image installs only the runtime group of uv.lock; the service must need nothing else."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.database import TEST_PEPPER
from tests.helpers import unavailable

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".tools" / "uv" / "bin" / "uv"
SERVICE_PACKAGES = ("app", "handlers", "generated", "migrations")
DEV_ONLY = ("pytest", "schemathesis", "moto", "ruff", "mypy")

IMPORT_EVERYTHING = f"""
import importlib, importlib.util, pkgutil, sys
for package in {SERVICE_PACKAGES!r}:
    if package == "migrations":
        continue  # env.py runs alembic on import; covered by the offline render below
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, package + "."):
        importlib.import_module(module.name)
from app.main import create_app
create_app()
missing = [name for name in {DEV_ONLY!r} if importlib.util.find_spec(name) is not None]
assert not missing, missing
"""


@pytest.fixture(scope="module")
def runtime_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not UV.is_file():
        unavailable("uv is not installed: run `make install`")
    venv = tmp_path_factory.mktemp("runtime") / "venv"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(venv), "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run(
        [str(UV), "sync", "--frozen", "--no-dev", "--no-default-groups", "--quiet"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return venv / "bin" / "python"


def run(python: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_DSQL_ENDPOINT"}
    env.update(TOKEN_PEPPER=TEST_PEPPER, **extra)
    return subprocess.run(
        [str(python), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_every_service_module_imports_without_dev_dependencies(runtime_python: Path) -> None:
    result = run(runtime_python, "-c", IMPORT_EVERYTHING)

    assert result.returncode == 0, result.stderr


def test_migrations_render_for_dsql_without_dev_dependencies(runtime_python: Path) -> None:
    result = run(
        runtime_python,
        "-m",
        "alembic",
        "upgrade",
        "head",
        "--sql",
        DATABASE_URL="postgresql+asyncpg://admin@localhost/postgres",
        DATABASE_DSQL_ENDPOINT="abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws",
    )

    assert result.returncode == 0, result.stderr
    assert "CREATE UNIQUE INDEX ASYNC" in result.stdout
