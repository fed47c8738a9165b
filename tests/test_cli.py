"""app.cli, run as the command operators use, against the test database and Redis."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from app.platform.cache.entry import TOMBSTONE
from app.platform.db.database import Database
from app.platform.db.models import OutboxMessage, User
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages
from app.sessions import cache as sessions_cache
from app.sessions.hashing import hash_token
from app.settings import Settings
from tests.fixtures.actors import Actor, login
from tests.fixtures.database import TEST_PEPPER
from tests.fixtures.services import free_port
from tests.helpers import assert_error, data

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


async def run_cli(
    settings: Settings, *args: str, extra_env: dict[str, str] | None = None
) -> Result:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "TOKEN_PEPPER": TEST_PEPPER,
        **(extra_env or {}),
    }
    env.pop("REDIS_URL", None)
    if settings.redis_url is not None:
        env["REDIS_URL"] = settings.redis_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Result(process.returncode, stdout.decode(), stderr.decode())


async def add_user(database: Database, email: str) -> None:
    async def unit(uow: UnitOfWork) -> None:
        session = uow.session
        session.add(
            User(
                email=email,
                email_normalized=email.lower(),
                display_name="Someone",
                bio="",
                role="author",
                password_hash="not-a-hash",
            )
        )

    await database.transaction(unit)


async def outbox(database: Database) -> list[OutboxMessage]:
    async def unit(uow: UnitOfWork) -> list[OutboxMessage]:
        return list((await uow.session.scalars(select(OutboxMessage))).all())

    return await database.transaction(unit)


async def roles(database: Database) -> dict[str, str]:
    async def unit(uow: UnitOfWork) -> dict[str, str]:
        session = uow.session
        rows = await session.execute(select(User.email_normalized, User.role))
        return dict(rows.all())

    return await database.transaction(unit)


async def test_without_a_command_it_shows_the_commands(settings: Settings) -> None:
    result = await run_cli(settings)

    assert result.returncode == 2
    assert "set-role" in result.stderr
    assert result.stdout == ""


async def test_unknown_email_fails_and_changes_nothing(
    settings: Settings, database: Database
) -> None:
    await add_user(database, "known@example.com")

    result = await run_cli(
        settings, "set-role", "--email", "unknown@example.com", "--role", "admin"
    )

    assert result.returncode == 1
    assert "No user with email 'unknown@example.com'" in result.stderr
    assert result.stdout == ""
    assert await roles(database) == {"known@example.com": "author"}


async def test_invalid_role_fails_and_changes_nothing(
    settings: Settings, database: Database
) -> None:
    await add_user(database, "known@example.com")

    result = await run_cli(
        settings, "set-role", "--email", "known@example.com", "--role", "superuser"
    )

    assert result.returncode == 2
    assert "invalid choice: 'superuser'" in result.stderr
    assert "author" in result.stderr
    assert await roles(database) == {"known@example.com": "author"}


async def test_changes_the_role_of_the_user_found_by_normalized_email(
    settings: Settings, database: Database
) -> None:
    await add_user(database, "Promoted@Example.com")
    await add_user(database, "bystander@example.com")

    result = await run_cli(
        settings, "set-role", "--email", "  PROMOTED@example.COM ", "--role", "editor"
    )

    assert result.returncode == 0, result.stderr
    assert "author -> editor" in result.stdout
    assert await roles(database) == {
        "promoted@example.com": "editor",
        "bystander@example.com": "author",
    }


async def assert_session_cached(redis: Redis, settings: Settings, actor: Actor) -> None:
    assert actor.token is not None
    token_hash = hash_token(settings=settings, token=actor.token)
    assert await redis.get(sessions_cache.session_key(token_hash)), "the session should be cached"


@pytest.mark.usefixtures("real_redis")
async def test_the_next_request_sees_the_new_role(
    client: httpx.AsyncClient, author: Actor, redis: Redis, settings: Settings
) -> None:
    assert author.email is not None
    assert data(await client.get("/v1/users/me", headers=author.headers))["role"] == "author"
    denied = await client.post("/v1/categories", json={"name": "N"}, headers=author.headers)
    assert_error(denied, 403, "FORBIDDEN")
    await assert_session_cached(redis, settings, author)

    result = await run_cli(settings, "set-role", "--email", author.email, "--role", "editor")

    assert result.returncode == 0, result.stderr
    allowed = await client.post("/v1/categories", json={"name": "N"}, headers=author.headers)
    data(allowed, 201)
    assert data(await client.get("/v1/users/me", headers=author.headers))["role"] == "editor"


@pytest.mark.usefixtures("real_redis")
@pytest.mark.parametrize("way", ["api", "cli"])
async def test_the_cli_and_the_api_end_every_cached_session_alike(
    way: str,
    client: httpx.AsyncClient,
    author: Actor,
    admin: Actor,
    redis: Redis,
    settings: Settings,
) -> None:
    """The same rule (app.users.service.change_role) whichever way the role changes."""
    assert author.email is not None
    assert author.token is not None
    tokens = [author.token, await login(client, author.email)]
    for token in tokens:
        me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert data(me)["role"] == "author"
    keys = [sessions_cache.session_key(hash_token(settings=settings, token=t)) for t in tokens]
    assert all([await redis.get(key) for key in keys]), "both sessions should be cached"

    if way == "api":
        response = await client.patch(
            f"/v1/users/{author.user_id}/role", json={"role": "editor"}, headers=admin.headers
        )
        assert data(response)["role"] == "editor"
    else:
        result = await run_cli(settings, "set-role", "--email", author.email, "--role", "editor")
        assert result.returncode == 0, result.stderr

    assert [await redis.get(key) for key in keys] == [TOMBSTONE, TOMBSTONE]
    for token in tokens:
        me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert data(me)["role"] == "editor"


@pytest.mark.usefixtures("real_redis")
async def test_an_unreachable_redis_is_reported_after_the_role_changed(
    client: httpx.AsyncClient, author: Actor, database: Database, settings: Settings
) -> None:
    assert author.email is not None
    nowhere = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})

    lease = {"OUTBOX_LEASE_SECONDS": "0.1"}

    result = await run_cli(
        nowhere, "set-role", "--email", author.email, "--role", "admin", extra_env=lease
    )

    assert result.returncode == 2
    assert "author -> admin" in result.stdout
    assert "Redis did not answer" in result.stderr
    assert "waits in the outbox" in result.stderr
    assert (await roles(database))[author.email.lower()] == "admin"
    assert [row.kind for row in await outbox(database)] == [messages.INVALIDATE]

    await asyncio.sleep(0.2)
    swept = await run_cli(settings, "outbox-sweep")

    assert swept.returncode == 0, swept.stderr
    assert "delivered=1 failed=0 dead=0" in swept.stdout
    assert await outbox(database) == []
    assert settings.redis_url is not None
    assert author.token is not None
    redis = Redis.from_url(settings.redis_url)
    try:
        key = sessions_cache.session_key(hash_token(settings=settings, token=author.token))
        assert await redis.get(key) == TOMBSTONE
    finally:
        await redis.aclose()
