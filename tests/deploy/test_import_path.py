"""What `import app.main` loads decides the cold start; heavy clients wait for first use."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.fixtures.database import TEST_PEPPER
from tests.fixtures.services import free_port

ROOT = Path(__file__).resolve().parents[2]
KEPT_OFF = ("boto3", "botocore", "wasmtime", "asyncpg", "aiosqlite", "sqlalchemy")
DATABASE_LAYER = {"sqlalchemy", "asyncpg", "app.platform.db.models"}


def loaded_after(code: str) -> set[str]:
    # Nothing listens there: a request that reaches the database answers 503 at once.
    closed = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/postgres"
    env = {**os.environ, "TOKEN_PEPPER": TEST_PEPPER, "DATABASE_URL": closed}
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, check=True
    ).stdout
    # The last line: metric records of served requests come before it.
    return set(json.loads(output.splitlines()[-1]))


def test_importing_and_building_the_app_loads_no_aws_sdk_wasm_runtime_or_driver() -> None:
    loaded = loaded_after("from app.main import create_app\ncreate_app()")

    assert "fastapi" in loaded
    assert loaded.isdisjoint(KEPT_OFF), loaded & set(KEPT_OFF)


SERVE = """
import asyncio, httpx
from asgi_lifespan import LifespanManager
from app.main import create_app

async def serve(paths):
    async with LifespanManager(create_app()) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            for path in paths:
                print(path, (await http.get(path)).status_code, file=sys.stderr)
"""


def test_the_readiness_check_loads_no_database_layer() -> None:
    loaded = loaded_after(SERVE + "asyncio.run(serve(['/health']))")

    assert "wasmtime" in loaded
    assert loaded.isdisjoint(DATABASE_LAYER), loaded & DATABASE_LAYER
    assert loaded.isdisjoint({"boto3", "botocore"})


def models_in(loaded: set[str]) -> set[str]:
    """The generated models' modules loaded, by schema module name."""
    prefix = "generated.models."
    return {name.removeprefix(prefix) for name in loaded if name.startswith(prefix)}


def test_the_readiness_check_loads_only_its_own_models() -> None:
    loaded = loaded_after(SERVE + "asyncio.run(serve(['/health']))")

    assert models_in(loaded) == {"health", "health_status"}


def test_a_request_loads_the_models_of_its_operation_and_no_other() -> None:
    loaded = models_in(loaded_after(SERVE + "asyncio.run(serve(['/health', '/v1/categories']))"))

    assert {"category_name", "api_error", "list_meta"} <= loaded
    assert loaded.isdisjoint({"post", "post_envelope", "user", "webhook", "tag"}), loaded


def test_the_first_request_that_needs_the_database_loads_it() -> None:
    loaded = loaded_after(SERVE + "asyncio.run(serve(['/health', '/v1/categories']))")

    assert DATABASE_LAYER.issubset(loaded), DATABASE_LAYER - loaded


def test_the_dsql_path_imports_boto3_only_when_a_token_is_signed() -> None:
    loaded = loaded_after(
        "from app.platform.db.database import Database\n"
        "from app.settings import Settings\n"
        f"Database(Settings(token_pepper={TEST_PEPPER!r}, "
        "database_dsql_endpoint='abc.dsql.us-east-1.on.aws'))"
    )

    assert "sqlalchemy.dialects.postgresql.asyncpg" in loaded
    assert loaded.isdisjoint({"boto3", "botocore"})


def test_the_app_declares_no_dataclass() -> None:
    # Python 3.11 compiles each dataclass's methods from generated source, about 0.9 ms for a
    # frozen one, and the app had 26 before /health. Its value objects are msgspec Structs,
    # which are made in C.
    uses = re.compile(r"^\s*(from dataclasses import|import dataclasses)", re.MULTILINE)
    sources = [*(ROOT / "app").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]

    declaring = [str(path.relative_to(ROOT)) for path in sources if uses.search(path.read_text())]

    assert sources
    assert declaring == []
