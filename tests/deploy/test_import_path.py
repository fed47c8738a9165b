"""What `import app.main` loads decides the cold start; heavy clients wait for first use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures.database import TEST_PEPPER

ROOT = Path(__file__).resolve().parents[2]
KEPT_OFF = ("boto3", "botocore", "wasmtime", "asyncpg", "aiosqlite")


def loaded_after(code: str) -> set[str]:
    env = {**os.environ, "TOKEN_PEPPER": TEST_PEPPER}
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, check=True
    ).stdout
    return set(json.loads(output))


def test_importing_and_building_the_app_loads_no_aws_sdk_wasm_runtime_or_driver() -> None:
    loaded = loaded_after("from app.main import create_app\ncreate_app()")

    assert "fastapi" in loaded
    assert loaded.isdisjoint(KEPT_OFF), loaded & set(KEPT_OFF)


def test_the_dsql_path_imports_boto3_only_when_a_token_is_signed() -> None:
    loaded = loaded_after(
        "from app.db.database import Database\n"
        "from app.settings import Settings\n"
        f"Database(Settings(token_pepper={TEST_PEPPER!r}, "
        "database_dsql_endpoint='abc.dsql.us-east-1.on.aws'))"
    )

    assert "sqlalchemy.dialects.postgresql.asyncpg" in loaded
    assert loaded.isdisjoint({"boto3", "botocore"})
