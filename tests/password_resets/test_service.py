"""Confirming a reset inside a transaction that a real database conflict makes run twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.aws.clients import AwsClients
from app.core import errors
from app.db import database as database_module
from app.db.database import Database
from app.db.models import User, utcnow
from app.password_resets import service
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.helpers import data
from tests.password_resets.test_handlers import NEW_PASSWORD, request_token


@pytest.fixture
async def retrying(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    monkeypatch.setattr(database_module, "backoff_seconds", lambda attempt: 0.0)
    database = Database(settings.model_copy(update={"transaction_max_attempts": 3}))
    yield database
    await database.dispose()


@pytest.fixture
async def clients(settings: Settings) -> AsyncIterator[AwsClients]:
    made = AwsClients(settings)
    yield made
    made.close()


async def touch_elsewhere(database: Database, user_id: uuid.UUID) -> None:
    async def touch(session: AsyncSession) -> None:
        await session.execute(update(User).where(User.id == user_id).values(updated_at=utcnow()))

    await database.transaction(touch)


def confirming(
    *, clients: AwsClients, settings: Settings, token: str, claim: uuid.UUID
) -> Callable[[AsyncSession], Awaitable[list[str]]]:
    """A unit of work that confirms the reset with the new password, under this claim."""

    async def unit(session: AsyncSession) -> list[str]:
        return await service.confirm(
            session=session,
            clients=clients,
            settings=settings,
            token=token,
            password=NEW_PASSWORD,
            claim=claim,
        )

    return unit


async def test_a_rerun_after_a_conflict_finds_its_own_claim(
    client: httpx.AsyncClient,
    settings: Settings,
    author: Actor,
    retrying: Database,
    database: Database,
    clients: AwsClients,
) -> None:
    assert author.email is not None
    assert author.user_id is not None
    user_id = author.user_id
    token = await request_token(client, settings, author.email)
    confirm = confirming(clients=clients, settings=settings, token=token, claim=uuid.uuid4())
    attempts = 0

    async def unit(session: AsyncSession) -> list[str]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            # Our snapshot sees the user; another transaction then changes the row and commits,
            # so this attempt's UPDATE fails with 40001 at REPEATABLE READ.
            await session.execute(select(User).where(User.id == user_id))
            await touch_elsewhere(database, user_id)
        return await confirm(session)

    ended = await retrying.transaction(unit)

    assert attempts == 2
    assert len(ended) == 1
    login = {"email": author.email, "password": NEW_PASSWORD}
    data(await client.post("/v1/sessions", json=login), 201)


async def test_a_claimed_token_refuses_every_other_claim(
    client: httpx.AsyncClient,
    settings: Settings,
    author: Actor,
    database: Database,
    clients: AwsClients,
) -> None:
    assert author.email is not None
    token = await request_token(client, settings, author.email)

    def claimed_by(claim: uuid.UUID) -> Callable[[AsyncSession], Awaitable[list[str]]]:
        return confirming(clients=clients, settings=settings, token=token, claim=claim)

    await database.transaction(claimed_by(uuid.uuid4()))
    with pytest.raises(errors.NotFound):
        await database.transaction(claimed_by(uuid.uuid4()))
