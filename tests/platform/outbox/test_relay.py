"""The relay: a committed unit's rows leave once, in order; what fails waits, then goes dead."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from sqlalchemy import select

from app.platform.aws.clients import AwsClients
from app.platform.cache.reads import Cache
from app.platform.db.database import Database
from app.platform.db.models import OutboxMessage
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages
from app.platform.outbox.delivery import ID_FIELD
from app.platform.outbox.relay import Relay
from app.settings import Settings
from tests.aws_helpers import drain
from tests.fixtures.aws_faults import unreachable

JOB = "test.job"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Rows are due for the sweeper at once, and a failure waits next to nothing.
    return settings.model_copy(
        update={
            "outbox_lease_seconds": 0.05,
            "outbox_backoff_cap_seconds": 0.01,
            "outbox_max_attempts": 3,
        }
    )


@pytest.fixture
def queue(clients: AwsClients) -> Iterator[str]:
    name = f"outbox-test-{uuid.uuid4().hex[:12]}"
    url = clients.sqs().create_queue(QueueName=name)["QueueUrl"]
    yield name
    clients.sqs().delete_queue(QueueUrl=url)


@pytest.fixture
async def broken(settings: Settings, cache: Cache) -> AsyncIterator[tuple[Database, Relay]]:
    """A database whose relay cannot reach SQS: its rows stay in the outbox."""
    bad = unreachable(settings, ("sqs",))
    aws = AwsClients(bad)
    database = Database(bad)
    relay = Relay(database=database, aws=aws, cache=cache, settings=bad)
    database.dispatch = relay.dispatch
    yield database, relay
    await relay.close()
    await database.dispose()
    aws.close()


def emit_jobs(queue: str, count: int = 1) -> Callable[[UnitOfWork], Awaitable[list[uuid.UUID]]]:
    async def unit(uow: UnitOfWork) -> list[uuid.UUID]:
        return [
            uow.emit(messages.job(queue=queue, message_type=JOB, body={"n": n}))
            for n in range(count)
        ]

    return unit


async def outbox(database: Database) -> list[OutboxMessage]:
    async def unit(uow: UnitOfWork) -> list[OutboxMessage]:
        found = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.seq))
        return list(found.all())

    return await database.transaction(unit)


async def received(clients: AwsClients, queue: str) -> list[dict[str, object]]:
    return await asyncio.to_thread(drain, clients, queue)


async def test_a_rolled_back_unit_sends_nothing(
    database: Database, clients: AwsClients, queue: str
) -> None:
    class Refused(Exception):
        pass

    async def unit(uow: UnitOfWork) -> None:
        uow.emit(messages.job(queue=queue, message_type=JOB, body={}))
        raise Refused()

    with pytest.raises(Refused):
        await database.transaction(unit)

    assert await outbox(database) == []
    assert await received(clients, queue) == []


async def test_a_committed_unit_sends_each_row_once_with_its_id_and_leaves_none(
    database: Database, clients: AwsClients, queue: str
) -> None:
    request_id = uuid.uuid4()

    ids = await database.transaction(emit_jobs(queue, 3), request_id=request_id)

    assert ids == [uuid.uuid5(request_id, f"outbox:{n}") for n in range(3)]
    bodies = await received(clients, queue)
    assert sorted((b["n"], b[ID_FIELD]) for b in bodies) == [(n, str(ids[n])) for n in range(3)]
    assert await outbox(database) == []


async def test_an_undelivered_row_waits_and_the_sweeper_sends_it_once(
    broken: tuple[Database, Relay],
    database: Database,
    relay: Relay,
    clients: AwsClients,
    queue: str,
) -> None:
    stuck, stuck_relay = broken
    [message_id] = await stuck.transaction(emit_jobs(queue))
    # The process that wrote it goes away before it could deliver it.
    await stuck_relay.close()
    [row] = await outbox(database)
    assert (row.id, row.status) == (message_id, "pending")
    assert await received(clients, queue) == []
    await asyncio.sleep(0.1)

    first = await relay.sweep()
    second = await relay.sweep()

    assert (first.delivered, first.failed) == (1, 0)
    assert (second.delivered, second.failed) == (0, 0)
    bodies = await received(clients, queue)
    assert [b[ID_FIELD] for b in bodies] == [str(message_id)]
    assert await outbox(database) == []


async def test_the_writer_retries_its_own_row_while_its_lease_lasts(
    settings: Settings, cache: Cache, database: Database, clients: AwsClients, queue: str
) -> None:
    """The fast path failed; the same process delivers the row as soon as SQS answers."""
    patient = settings.model_copy(update={"outbox_lease_seconds": 5.0})
    bad = unreachable(patient, ("sqs",))
    aws = AwsClients(bad)
    writer = Database(bad)
    relay = Relay(database=writer, aws=aws, cache=cache, settings=patient)
    writer.dispatch = relay.dispatch
    try:
        [message_id] = await writer.transaction(emit_jobs(queue))
        assert [row.id for row in await outbox(database)] == [message_id]
        relay.aws = clients  # SQS answers again

        async def gone() -> bool:
            return await outbox(database) == []

        for _ in range(100):
            if await gone():
                break
            await asyncio.sleep(0.05)
        assert await gone()
        assert [b[ID_FIELD] for b in await received(clients, queue)] == [str(message_id)]
    finally:
        await relay.close()
        await writer.dispose()
        aws.close()


async def test_concurrent_sweepers_never_send_a_row_twice(
    broken: tuple[Database, Relay],
    settings: Settings,
    cache: Cache,
    clients: AwsClients,
    database: Database,
    queue: str,
) -> None:
    stuck, stuck_relay = broken
    for _ in range(4):
        await stuck.transaction(emit_jobs(queue, 5))
    await stuck_relay.close()
    await asyncio.sleep(0.1)
    # A claim lasts longer than the sweep, as it does outside tests.
    leased = settings.model_copy(update={"outbox_lease_seconds": 30.0})
    sweepers = [Database(leased) for _ in range(3)]
    relays = [Relay(database=d, aws=clients, cache=cache, settings=leased) for d in sweepers]
    try:
        results = await asyncio.gather(*(r.sweep(limit=20) for r in relays))
    finally:
        for d in sweepers:
            await d.dispose()

    assert sum(r.delivered for r in results) == 20
    ids = [b[ID_FIELD] for b in await received(clients, queue)]
    assert len(ids) == len(set(ids)) == 20
    assert await outbox(database) == []


async def test_a_failing_row_does_not_hold_back_the_others(
    database: Database, relay: Relay, clients: AwsClients, queue: str
) -> None:
    """An event that cannot leave must not keep a cache invalidation (or a job) waiting."""
    missing = f"no-such-queue-{uuid.uuid4().hex[:8]}"

    async def unit(uow: UnitOfWork) -> None:
        uow.emit(messages.job(queue=missing, message_type=JOB, body={"n": 0}))
        uow.emit(messages.job(queue=queue, message_type=JOB, body={"n": 1}))

    await database.transaction(unit)
    await relay.close()

    assert [b["n"] for b in await received(clients, queue)] == [1]
    [left] = await outbox(database)
    assert (left.seq, left.status) == (0, "pending")


async def test_a_row_that_keeps_failing_goes_dead_until_retried(
    broken: tuple[Database, Relay],
    database: Database,
    relay: Relay,
    clients: AwsClients,
    queue: str,
    settings: Settings,
) -> None:
    stuck, stuck_relay = broken
    [message_id] = await stuck.transaction(emit_jobs(queue))
    await stuck_relay.close()
    results = []
    for _ in range(settings.outbox_max_attempts + 2):
        await asyncio.sleep(0.06)
        results.append(await stuck_relay.sweep())

    assert sum(r.failed for r in results) == settings.outbox_max_attempts
    assert sum(r.dead for r in results) == 1
    [dead] = await relay.dead()
    assert (dead.id, dead.status, dead.attempts) == (message_id, "dead", 3)
    assert "ServiceUnavailable" in (dead.last_error or "")
    assert (await relay.sweep()).delivered == 0

    assert await relay.retry(ids=[message_id]) == 1
    assert (await relay.sweep()).delivered == 1
    assert [b[ID_FIELD] for b in await received(clients, queue)] == [str(message_id)]
    assert await relay.dead() == []


async def test_a_row_of_an_unknown_kind_goes_dead_at_once(database: Database, relay: Relay) -> None:
    async def unit(uow: UnitOfWork) -> uuid.UUID:
        return uow.emit(messages.Message("carrier.pigeon", {}))

    message_id = await database.transaction(unit)
    await relay.close()
    await asyncio.sleep(0.1)

    swept = await relay.sweep()

    assert (swept.failed, swept.dead) == (1, 1)
    [dead] = await relay.dead()
    assert dead.id == message_id
    assert dead.last_error == "unknown kind carrier.pigeon"
