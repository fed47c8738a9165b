"""A unit of work reaches its racing points through the database's checkpoint, in every attempt."""

from __future__ import annotations

import asyncio

from app.platform.db.database import Database
from app.platform.db.unit_of_work import UnitOfWork
from tests.fixtures.checkpoints import Rendezvous
from tests.platform.db.test_database import add_user, final_counter, read_counter, write_counter

POINT = "counter.before_write"


async def test_units_held_between_read_and_write_conflict_and_the_rerun_passes(
    db: Database, rendezvous: Rendezvous
) -> None:
    user_id = await add_user(db, "held@example.com")
    db.checkpoint = rendezvous
    rendezvous.arm(POINT, 2)
    attempts: list[int] = []

    async def increment(uow: UnitOfWork) -> None:
        attempts.append(uow.attempt)
        value = await read_counter(uow.session, user_id)
        await uow.reach(POINT)
        await write_counter(uow.session, user_id, value + 1)

    await asyncio.gather(db.transaction(increment), db.transaction(increment))

    assert rendezvous.held[POINT] == 2
    # Both read 0 before either wrote: one wrote 1, the other's rerun read 1 and wrote 2.
    assert sorted(attempts) == [1, 1, 2]
    assert await final_counter(db, user_id) == 2
