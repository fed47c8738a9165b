"""scripts.set_role, run as the command operators use, against the test database."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.database import Database
from app.db.models import User
from app.settings import Settings
from tests.fixtures.database import TEST_PEPPER

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


async def set_role(settings: Settings, *args: str) -> Result:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "TOKEN_PEPPER": TEST_PEPPER}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "scripts.set_role",
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
    async def unit(session: AsyncSession) -> None:
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


async def roles(database: Database) -> dict[str, str]:
    async def unit(session: AsyncSession) -> dict[str, str]:
        rows = await session.execute(select(User.email_normalized, User.role))
        return dict(rows.all())

    return await database.transaction(unit)


async def test_unknown_email_fails_and_changes_nothing(
    settings: Settings, database: Database
) -> None:
    await add_user(database, "known@example.com")

    result = await set_role(settings, "--email", "unknown@example.com", "--role", "admin")

    assert result.returncode != 0
    assert "No user with email 'unknown@example.com'" in result.stderr
    assert result.stdout == ""
    assert await roles(database) == {"known@example.com": "author"}


async def test_invalid_role_fails_and_changes_nothing(
    settings: Settings, database: Database
) -> None:
    await add_user(database, "known@example.com")

    result = await set_role(settings, "--email", "known@example.com", "--role", "superuser")

    assert result.returncode != 0
    assert "invalid choice: 'superuser'" in result.stderr
    assert "author" in result.stderr
    assert await roles(database) == {"known@example.com": "author"}


async def test_changes_the_role_of_the_user_found_by_normalized_email(
    settings: Settings, database: Database
) -> None:
    await add_user(database, "Promoted@Example.com")
    await add_user(database, "bystander@example.com")

    result = await set_role(settings, "--email", "  PROMOTED@example.COM ", "--role", "editor")

    assert result.returncode == 0, result.stderr
    assert "author -> editor" in result.stdout
    assert await roles(database) == {
        "promoted@example.com": "editor",
        "bystander@example.com": "author",
    }
