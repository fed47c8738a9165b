"""Database.transaction against real conflicts, constraint errors and domain errors."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import errors
from app.platform.db.database import Database, backoff_seconds
from app.platform.db.models import Post, User
from app.platform.db.unit_of_work import UnitOfWork


def new_user(email: str, *, bio: str = "0", created_at: datetime | None = None) -> User:
    user = User(
        email=email,
        email_normalized=email,
        display_name="Someone",
        bio=bio,
        role="author",
        password_hash="not-a-hash",
    )
    if created_at is not None:
        user.created_at = user.updated_at = created_at
    return user


async def add_user(db: Database, email: str) -> uuid.UUID:
    async def unit(uow: UnitOfWork) -> uuid.UUID:
        session = uow.session
        user = new_user(email)
        session.add(user)
        await session.flush()
        return user.id

    return await db.transaction(unit)


async def read_counter(session: AsyncSession, user_id: uuid.UUID) -> int:
    bio = (await session.execute(select(User.bio).where(User.id == user_id))).scalar_one()
    return int(bio)


async def write_counter(session: AsyncSession, user_id: uuid.UUID, value: int) -> None:
    await session.execute(update(User).where(User.id == user_id).values(bio=str(value)))


async def final_counter(db: Database, user_id: uuid.UUID) -> int:
    return await db.transaction(lambda uow: read_counter(uow.session, user_id))


async def test_serialization_conflict_reruns_the_whole_unit(db: Database) -> None:
    user_id = await add_user(db, "counter@example.com")
    first_read, other_committed = asyncio.Event(), asyncio.Event()
    attempts = 0

    async def increment_after_other(uow: UnitOfWork) -> None:

        session = uow.session
        nonlocal attempts
        attempts += 1
        value = await read_counter(session, user_id)
        if attempts == 1:
            first_read.set()
            await other_committed.wait()
        await write_counter(session, user_id, value + 1)

    async def increment_in_between(uow: UnitOfWork) -> None:

        session = uow.session
        await first_read.wait()
        await write_counter(session, user_id, await read_counter(session, user_id) + 1)

    async def other() -> None:
        await db.transaction(increment_in_between)
        other_committed.set()

    await asyncio.wait_for(asyncio.gather(db.transaction(increment_after_other), other()), 10)

    assert attempts == 2
    assert await final_counter(db, user_id) == 2


async def test_gives_up_after_max_attempts_and_raises_the_conflict(db: Database) -> None:
    user_id = await add_user(db, "contended@example.com")
    attempts = 0

    async def always_conflicts(uow: UnitOfWork) -> None:

        session = uow.session
        nonlocal attempts
        attempts += 1
        value = await read_counter(session, user_id)
        async with db.sessionmaker() as rival, rival.begin():
            await write_counter(rival, user_id, value + 100)
        await write_counter(session, user_id, value + 1)

    with pytest.raises(DBAPIError) as raised:
        await asyncio.wait_for(db.transaction(always_conflicts), 10)

    assert getattr(raised.value.orig, "sqlstate", None) == "40001"
    assert attempts == db.max_attempts == 3
    assert await final_counter(db, user_id) == 300


async def test_unique_violation_is_not_retried(db: Database) -> None:
    await add_user(db, "taken@example.com")
    attempts = 0

    async def duplicate(uow: UnitOfWork) -> None:

        session = uow.session
        nonlocal attempts
        attempts += 1
        session.add(new_user("taken@example.com"))
        await session.flush()

    with pytest.raises(IntegrityError) as raised:
        await db.transaction(duplicate)

    assert getattr(raised.value.orig, "sqlstate", None) == "23505"
    assert attempts == 1


async def test_domain_error_rolls_back_the_unit(db: Database) -> None:
    attempts = 0

    async def write_then_refuse(uow: UnitOfWork) -> None:

        session = uow.session
        nonlocal attempts
        attempts += 1
        session.add(new_user("rolled-back@example.com"))
        await session.flush()
        raise errors.Conflict("refused after writing")

    with pytest.raises(errors.Conflict):
        await db.transaction(write_then_refuse)

    async def count(uow: UnitOfWork) -> int:

        session = uow.session
        statement = select(func.count()).where(User.email == "rolled-back@example.com")
        return (await session.execute(statement)).scalar_one()

    assert attempts == 1
    assert await db.transaction(count) == 0


def test_backoff_stays_within_zero_and_cap() -> None:
    for attempt in range(1, 12):
        for _ in range(50):
            assert 0 <= backoff_seconds(attempt, base=0.01, cap=0.05) <= 0.05


def test_backoff_ceiling_grows_with_the_attempt_until_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    ceilings = [backoff_seconds(attempt, base=0.01, cap=0.1) for attempt in range(1, 7)]

    assert ceilings[:3] == pytest.approx([0.02, 0.04, 0.08])
    assert ceilings[3:] == pytest.approx([0.1, 0.1, 0.1])


async def test_sqlite_enforces_foreign_keys(sqlite_db: Database) -> None:
    async def orphan_post(uow: UnitOfWork) -> None:
        session = uow.session
        values = {
            "id": uuid.uuid4(),
            "title": "Orphan",
            "slug": "orphan",
            "body": "",
            "status": "draft",
            "author_id": uuid.uuid4(),
            "version": 1,
            "created_at": datetime.now(UTC),
            "updated_at": datetime.now(UTC),
        }
        await session.execute(insert(Post).values(**values))

    with pytest.raises(IntegrityError, match="FOREIGN KEY"):
        await sqlite_db.transaction(orphan_post)
