"""The models' column types: datetimes are aware UTC whatever the database stores."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from app.platform.db.database import Database
from app.platform.db.models import User
from app.platform.db.unit_of_work import UnitOfWork
from tests.platform.db.test_database import new_user


async def test_sqlite_reads_datetimes_back_as_aware_utc(sqlite_db: Database) -> None:
    local = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))

    async def create(uow: UnitOfWork) -> uuid.UUID:

        session = uow.session
        user = new_user("tz@example.com", created_at=local)
        session.add(user)
        await session.flush()
        return user.id

    user_id = await sqlite_db.transaction(create)

    async def read(uow: UnitOfWork) -> datetime:

        session = uow.session
        statement = select(User.created_at).where(User.id == user_id)
        return (await session.execute(statement)).scalar_one()

    stored = await sqlite_db.transaction(read)
    assert stored.tzinfo == UTC
    assert stored == local
    assert stored.hour == 10
