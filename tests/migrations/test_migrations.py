"""The migrations: a round trip on PostgreSQL, and the offline SQL and index jobs of DSQL."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from app.platform.db.models import Base
from tests.fixtures.database import TABLES, TEST_PEPPER, asyncpg_dsn
from tests.helpers import unavailable
from tests.migrations.dsql_emulation import EMULATION_SQL, emulate_psql_script

ROOT = Path(__file__).resolve().parents[2]
APP_TABLES = {
    "users",
    "sessions",
    "categories",
    "posts",
    "attachments",
    "outbox",
    "tags",
    "post_tags",
    "post_revisions",
    "webhooks",
    "webhook_deliveries",
    "webhook_attempts",
}
HEAD = "0009"
# Every index the migrations build, in the order they build them.
BUILT = {
    "users_email_normalized_key": "UNIQUE INDEX",
    "sessions_token_hash_key": "UNIQUE INDEX",
    "sessions_user_id_idx": "INDEX",
    "categories_slug_key": "UNIQUE INDEX",
    "posts_slug_key": "UNIQUE INDEX",
    "posts_created_at_id_idx": "INDEX",
    "posts_author_id_created_at_idx": "INDEX",
    "posts_category_id_created_at_idx": "INDEX",
    "attachments_post_id_created_at_idx": "INDEX",
    "outbox_status_available_at_idx": "INDEX",
    "attachments_status_upload_expires_at_idx": "INDEX",
    "posts_author_id_slug_key": "UNIQUE INDEX",
    "posts_published_slug_key": "UNIQUE INDEX",
    "posts_publish_at_idx": "INDEX",
    "posts_deleted_at_idx": "INDEX",
    "posts_status_published_at_idx": "INDEX",
    "tags_slug_key": "UNIQUE INDEX",
    "tags_created_at_id_idx": "INDEX",
    "post_tags_post_id_tag_id_key": "UNIQUE INDEX",
    "post_tags_tag_id_idx": "INDEX",
    "post_revisions_post_id_number_key": "UNIQUE INDEX",
    "webhooks_active_idx": "INDEX",
    "webhooks_created_at_id_idx": "INDEX",
    "webhook_deliveries_webhook_id_event_id_key": "UNIQUE INDEX",
    "webhook_deliveries_status_next_attempt_at_idx": "INDEX",
    "webhook_deliveries_webhook_id_created_at_id_idx": "INDEX",
    "webhook_attempts_delivery_id_attempted_at_idx": "INDEX",
}
# Built, then dropped by a later migration (0005: slugs are no longer globally unique).
DROPPED = {"posts_slug_key"}
# The indexes at head.
INDEXES = {name: kind for name, kind in BUILT.items() if name not in DROPPED}
PARTIAL = {"posts_published_slug_key": "WHERE ((status)::text = 'published'::text)"}
WAIT = "SELECT :'job_id' AS waited_job_id WHERE sys.wait_for_job(:'job_id') \\gset"
FORBIDDEN = (
    r"\bENUM\b",
    r"\bCREATE TYPE\b",
    r"\bTRIGGER\b",
    r"\bJSONB\b",
    r"\bSERIAL\b",
    r"\bBIGSERIAL\b",
    r"\bTRUNCATE\b",
    r"\bSAVEPOINT\b",
    r"\bCREATE EXTENSION\b",
)


@dataclass(frozen=True)
class Run:
    returncode: int | None
    stdout: str
    stderr: str


async def run(*command: str, database_url: str, dsql: bool = False) -> Run:
    env = {**os.environ, "DATABASE_URL": database_url, "TOKEN_PEPPER": TEST_PEPPER}
    env.pop("DATABASE_DSQL_ENDPOINT", None)
    if dsql:
        env["DATABASE_DSQL_ENDPOINT"] = "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws"
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    return Run(process.returncode, stdout.decode(), stderr.decode())


async def alembic(database_url: str, *args: str, dsql: bool = False) -> str:
    result = await run(sys.executable, "-m", "alembic", *args, database_url=database_url, dsql=dsql)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
async def fresh_database_url(database_url: str) -> AsyncIterator[str]:
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@dataclass(frozen=True)
class Schema:
    tables: set[str]
    indexes: dict[str, str]
    versions: list[str]


async def read_schema(database_url: str) -> Schema:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        tables = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
        versions = await connection.fetch("SELECT version_num FROM alembic_version")
    finally:
        await connection.close()
    return Schema(
        {row["tablename"] for row in tables},
        {row["indexname"]: row["indexdef"] for row in indexes},
        [row["version_num"] for row in versions],
    )


async def test_upgrade_downgrade_upgrade_on_postgresql(fresh_database_url: str) -> None:
    await alembic(fresh_database_url, "upgrade", "head")
    await alembic(fresh_database_url, "downgrade", "base")
    schema = await read_schema(fresh_database_url)
    assert schema.tables.isdisjoint(APP_TABLES)
    assert schema.versions == []

    await alembic(fresh_database_url, "upgrade", "head")
    schema = await read_schema(fresh_database_url)

    assert schema.tables == APP_TABLES | {"alembic_version"}
    assert schema.versions == [HEAD]
    for name, kind in INDEXES.items():
        definition = schema.indexes[name]
        assert definition.startswith(f"CREATE {kind} {name} ON public."), definition
        assert definition.endswith(PARTIAL.get(name, ")")), definition
    assert DROPPED.isdisjoint(schema.indexes)
    primary_keys = {name for name in schema.indexes if name.endswith("_pkey")}
    assert primary_keys == {f"{table}_pkey" for table in APP_TABLES}


async def test_the_models_name_every_migrated_table(database_url: str) -> None:
    """The tests empty the models' tables (tests/fixtures/database.py): the migrations may make no
    table that the models do not name, and alembic's own must keep its row."""
    schema = await read_schema(database_url)
    assert {table.name for table in Base.metadata.sorted_tables} == schema.tables - {
        "alembic_version"
    }
    assert set(TABLES) == APP_TABLES
    assert schema.versions == [HEAD]


def statements(script: str) -> list[str]:
    """The offline script's statements, without comments, in order.

    A statement ends with `;`, or with psql's `\\gset`, which stays on it.
    """
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    chunks = re.split(r"(?:;|(?<=\\gset))\s*$", "\n".join(lines), flags=re.MULTILINE)
    return [" ".join(chunk.split()) for chunk in chunks if chunk.strip()]


def transactions(script: str) -> list[list[str]]:
    """Group statements by BEGIN..COMMIT; a statement outside any block is its own group."""
    groups: list[list[str]] = []
    current: list[str] | None = None
    for statement in statements(script):
        if statement == "BEGIN":
            assert current is None, "nested BEGIN"
            current = []
        elif statement == "COMMIT":
            assert current is not None, "COMMIT without BEGIN"
            groups.append(current)
            current = None
        elif current is None:
            groups.append([statement])
        else:
            current.append(statement)
    assert current is None, "unterminated transaction"
    return groups


def is_ddl(statement: str) -> bool:
    return statement.split()[0] in {"CREATE", "ALTER", "DROP", "COMMENT"}


@pytest.fixture(scope="module")
def dsql_script() -> str:
    return asyncio.run(
        alembic(
            "postgresql+asyncpg://admin@localhost/postgres", "upgrade", "head", "--sql", dsql=True
        )
    )


def test_dsql_indexes_are_built_async(dsql_script: str) -> None:
    indexes = [s for s in statements(dsql_script) if re.match(r"CREATE (UNIQUE )?INDEX", s)]

    assert len(indexes) == len(BUILT)
    for statement in indexes:
        name = statement.split(" ASYNC ")[1].split()[0]
        assert statement.startswith(f"CREATE {BUILT[name]} ASYNC "), statement
        assert (" WHERE " in statement) == (name in PARTIAL), statement


def test_dsql_script_waits_for_every_index_job(dsql_script: str) -> None:
    groups = transactions(dsql_script)
    starts = [index for index, group in enumerate(groups) if " INDEX ASYNC " in group[0]]

    assert dsql_script.startswith("-- Aurora DSQL: run with psql -v ON_ERROR_STOP=1")
    assert len(starts) == len(BUILT)
    for index in starts:
        assert groups[index][0].endswith(" \\gset"), groups[index]
        assert groups[index + 1] == [WAIT], groups[index + 1]


def test_dsql_script_avoids_unsupported_features(dsql_script: str) -> None:
    upper = dsql_script.upper()
    for pattern in FORBIDDEN:
        assert re.search(pattern, upper) is None, pattern


def test_dsql_script_runs_one_statement_per_transaction(dsql_script: str) -> None:
    groups = transactions(dsql_script)

    assert len(groups) > len(INDEXES) + len(APP_TABLES)
    for group in groups:
        ddl = [statement for statement in group if is_ddl(statement)]
        assert len(ddl) <= 1, group
        assert not ddl or len(group) == 1, group
    assert any(group[0].startswith("INSERT INTO alembic_version") for group in groups)


def test_dsql_primary_keys_are_uuids(dsql_script: str) -> None:
    tables = [s for s in statements(dsql_script) if s.startswith("CREATE TABLE")]
    keyed = {}
    for statement in tables:
        table = statement.split()[2]
        key = re.search(r"PRIMARY KEY \((\w+)\)", statement)
        assert key is not None, statement
        column_type = re.search(rf"[(,] {key[1]} (\w+)", statement)
        assert column_type is not None, statement
        keyed[table] = column_type[1]

    assert keyed.pop("alembic_version") == "VARCHAR"
    assert keyed == dict.fromkeys(APP_TABLES, "UUID")


async def test_without_dsql_indexes_are_plain() -> None:
    script = await alembic(
        "postgresql+asyncpg://admin@localhost/postgres", "upgrade", "head", "--sql"
    )
    indexes = [s for s in statements(script) if re.match(r"CREATE (UNIQUE )?INDEX", s)]

    assert len(indexes) == len(BUILT)
    for statement in indexes:
        name = statement.split(" ON ")[0].split()[-1]
        assert statement.startswith(f"CREATE {BUILT[name]} {name} ON "), statement


@dataclass(frozen=True)
class Job:
    index_name: str
    status: str
    started: int
    waits: list[int]


async def emulate_dsql(database_url: str, *, failing: tuple[str, ...] = ()) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await connection.execute(EMULATION_SQL)
        for name in failing:
            await connection.execute("INSERT INTO sys.failing_indexes VALUES ($1)", name)
    finally:
        await connection.close()


async def read_jobs(database_url: str) -> list[Job]:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT index_name, status, started, waits FROM sys.jobs ORDER BY started"
        )
    finally:
        await connection.close()
    return [
        Job(row["index_name"], row["status"], row["started"], list(row["waits"])) for row in rows
    ]


async def assert_every_index_built_and_waited_for(database_url: str) -> None:
    schema = await read_schema(database_url)
    assert schema.versions == [HEAD]
    for name, kind in INDEXES.items():
        assert schema.indexes[name].startswith(f"CREATE {kind} {name} ON public.")
    jobs = await read_jobs(database_url)
    assert [job.index_name for job in jobs] == list(BUILT)
    for job in jobs:
        assert job.status == "completed"
        # Waited on once, before anything else started.
        assert job.waits == [job.started + 1], job


async def assert_stopped_at_failed_job(database_url: str, *, index_name: str) -> Job:
    """Nothing ran after the failed job, which was the last one; return it."""
    schema = await read_schema(database_url)
    assert index_name not in schema.indexes
    assert "posts_created_at_id_idx" not in schema.indexes
    assert "attachments" not in schema.tables
    assert schema.versions == []
    last = (await read_jobs(database_url))[-1]
    assert (last.index_name, last.status) == (index_name, "failed")
    return last


async def migrate_as_on_dsql(database_url: str) -> Run:
    return await run(
        sys.executable, "-m", "tests.migrations.dsql_emulation", database_url=database_url
    )


async def test_dsql_migrations_wait_for_every_index_job(fresh_database_url: str) -> None:
    await emulate_dsql(fresh_database_url)

    result = await migrate_as_on_dsql(fresh_database_url)

    assert result.returncode == 0, result.stderr
    await assert_every_index_built_and_waited_for(fresh_database_url)


async def test_a_failed_index_job_stops_the_dsql_migrations(fresh_database_url: str) -> None:
    await emulate_dsql(fresh_database_url, failing=("posts_slug_key",))

    result = await migrate_as_on_dsql(fresh_database_url)

    assert result.returncode != 0
    assert "IndexJobFailed: index posts_slug_key was not built: Aurora DSQL job job" in (
        result.stderr
    )
    job = await assert_stopped_at_failed_job(fresh_database_url, index_name="posts_slug_key")
    assert job.waits == [job.started + 1]


async def run_psql(database_url: str, script: str, tmp_path: Path) -> Run:
    psql = shutil.which("psql")
    if psql is None:
        unavailable("no psql client")
    path = tmp_path / "upgrade.sql"
    path.write_text(emulate_psql_script(script))
    dsn = asyncpg_dsn(database_url)
    return await run(
        psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(path), database_url=dsn
    )


async def test_dsql_script_under_psql_waits_for_every_index_job(
    fresh_database_url: str, dsql_script: str, tmp_path: Path
) -> None:
    await emulate_dsql(fresh_database_url)

    result = await run_psql(fresh_database_url, dsql_script, tmp_path)

    assert result.returncode == 0, result.stderr
    await assert_every_index_built_and_waited_for(fresh_database_url)


async def test_dsql_script_under_psql_stops_at_a_failed_index_job(
    fresh_database_url: str, dsql_script: str, tmp_path: Path
) -> None:
    await emulate_dsql(fresh_database_url, failing=("posts_slug_key",))

    result = await run_psql(fresh_database_url, dsql_script, tmp_path)

    assert result.returncode == 3, result.stderr
    # The wait's transaction was rolled back as psql stopped, so only its error shows it ran.
    assert "no rows returned for \\gset" in result.stderr
    await assert_stopped_at_failed_job(fresh_database_url, index_name="posts_slug_key")
