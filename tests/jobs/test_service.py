"""The jobs service: shown to the user who started a job; for anyone else it does not exist."""

from __future__ import annotations

import uuid

import pytest

from app import errors
from app.jobs import repository as jobs
from app.jobs import service
from app.platform.aws import dynamo
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.platform.db.models import User
from tests.fixtures.domains import Callers, add_user


@pytest.fixture
async def owner(database: Database) -> User:
    return await add_user(database)


async def record(
    clients: AwsClients, *, job_id: uuid.UUID, owner_id: uuid.UUID, attachment_id: uuid.UUID
) -> None:
    """The job's record as the outbox writes it once completeAttachment commits."""
    table = clients.settings.jobs_table
    message = jobs.queued(
        table=table, job_id=job_id, owner_id=owner_id, attachment_id=attachment_id
    )
    await dynamo.put_item(clients, table=table, item=message.payload["item"])


async def queued(clients: AwsClients, owner: User) -> uuid.UUID:
    job_id = uuid.uuid4()
    await record(clients, job_id=job_id, owner_id=owner.id, attachment_id=uuid.uuid4())
    return job_id


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("anonymous", errors.Unauthenticated),
        ("author", errors.NotFound),
        ("editor", errors.NotFound),
        ("admin", errors.NotFound),
    ],
)
async def test_someone_elses_job_does_not_exist(
    database: Database,
    clients: AwsClients,
    callers: Callers,
    owner: User,
    kind: str,
    expected: type[errors.AppError],
) -> None:
    job_id = await queued(clients, owner)
    caller = None if kind == "anonymous" else await add_user(database, role=kind)
    with pytest.raises(expected):
        await service.get(clients=clients, caller=callers.of("getJob", caller), job_id=job_id)


async def test_a_missing_job_is_not_found(
    clients: AwsClients, callers: Callers, owner: User
) -> None:
    with pytest.raises(errors.NotFound, match="Job not found"):
        await service.get(clients=clients, caller=callers.of("getJob", owner), job_id=uuid.uuid4())


async def test_an_anonymous_caller_learns_nothing_of_a_missing_job(
    clients: AwsClients, callers: Callers
) -> None:
    with pytest.raises(errors.Unauthenticated):
        await service.get(clients=clients, caller=callers.of("getJob"), job_id=uuid.uuid4())


async def test_the_owner_gets_the_job_as_recorded(
    clients: AwsClients, callers: Callers, owner: User
) -> None:
    attachment_id = uuid.uuid4()
    job_id = uuid.uuid4()
    await record(clients, job_id=job_id, owner_id=owner.id, attachment_id=attachment_id)
    await jobs.finish(clients, job_id=job_id, result={"width": 64})

    job = await service.get(clients=clients, caller=callers.of("getJob", owner), job_id=job_id)

    assert (job.id, job.owner_id, job.attachment_id) == (job_id, owner.id, attachment_id)
    assert (job.status, job.error, job.result) == ("succeeded", None, {"width": 64})
    assert job.created_at <= job.updated_at


async def test_someone_elses_job_reads_exactly_like_a_missing_one(
    database: Database, clients: AwsClients, callers: Callers, owner: User
) -> None:
    job_id = await queued(clients, owner)
    caller = callers.of("getJob", await add_user(database))
    with pytest.raises(errors.NotFound) as hidden:
        await service.get(clients=clients, caller=caller, job_id=job_id)
    with pytest.raises(errors.NotFound) as missing:
        await service.get(clients=clients, caller=caller, job_id=uuid.uuid4())
    assert (hidden.value.message, hidden.value.details) == (
        missing.value.message,
        missing.value.details,
    )
