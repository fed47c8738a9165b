"""Confirming a reset: inside a transaction that a real database conflict makes run twice, and
the order of its checks (the token before any password hashing)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from sqlalchemy import select, update

from app import errors
from app.password_resets import service
from app.platform.aws.clients import AwsClients
from app.platform.cache.reads import Cache
from app.platform.db import database as database_module
from app.platform.db.database import Database
from app.platform.db.models import LoginSession, User, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.security import passwords
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.handlers.test_password_resets import NEW_PASSWORD, request_token
from tests.helpers import data


@pytest.fixture
async def retrying(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    monkeypatch.setattr(database_module, "backoff_seconds", lambda attempt: 0.0)
    database = Database(settings.model_copy(update={"transaction_max_attempts": 3}))
    yield database
    await database.dispose()


async def touch_elsewhere(database: Database, user_id: uuid.UUID) -> None:
    async def touch(uow: UnitOfWork) -> None:
        session = uow.session
        await session.execute(update(User).where(User.id == user_id).values(updated_at=utcnow()))

    await database.transaction(touch)


def confirming(
    *, clients: AwsClients, cache: Cache, settings: Settings, token: str
) -> Callable[[UnitOfWork], Awaitable[None]]:
    """A unit of work that confirms the reset with the new password; its claim is the request."""

    async def unit(uow: UnitOfWork) -> None:
        await service.confirm(
            uow=uow,
            clients=clients,
            settings=settings,
            token=token,
            password=NEW_PASSWORD,
        )

    return unit


async def test_a_rerun_after_a_conflict_finds_its_own_claim(
    client: httpx.AsyncClient,
    settings: Settings,
    author: Actor,
    retrying: Database,
    database: Database,
    clients: AwsClients,
    cache: Cache,
) -> None:
    assert author.email is not None
    assert author.user_id is not None
    user_id = author.user_id
    token = await request_token(client, settings, author.email)
    confirm = confirming(clients=clients, cache=cache, settings=settings, token=token)
    attempts = 0

    async def unit(uow: UnitOfWork) -> None:
        session = uow.session
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            # Our snapshot sees the user; another transaction then changes the row and commits,
            # so this attempt's UPDATE fails with 40001 at REPEATABLE READ.
            await session.execute(select(User).where(User.id == user_id))
            await touch_elsewhere(database, user_id)
        await confirm(uow)

    await retrying.transaction(unit)

    assert attempts == 2
    sessions = await database.transaction(
        lambda uow: uow.session.scalars(select(LoginSession).where(LoginSession.user_id == user_id))
    )
    assert list(sessions) == []
    login = {"email": author.email, "password": NEW_PASSWORD}
    data(await client.post("/v1/sessions", json=login), 201)


async def test_a_claimed_token_refuses_every_other_claim(
    client: httpx.AsyncClient,
    settings: Settings,
    author: Actor,
    database: Database,
    clients: AwsClients,
    cache: Cache,
) -> None:
    assert author.email is not None
    token = await request_token(client, settings, author.email)
    confirm = confirming(clients=clients, cache=cache, settings=settings, token=token)

    await database.transaction(confirm, request_id=uuid.uuid4())
    with pytest.raises(errors.NotFound):
        await database.transaction(confirm, request_id=uuid.uuid4())


class CountingHasher:
    """The real argon2 hasher, counting its calls: confirm's `hasher` seam."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, password: str) -> str:
        self.calls += 1
        return await passwords.hash_password(password)


async def confirm_with(
    database: Database,
    *,
    clients: AwsClients,
    settings: Settings,
    token: str,
    hasher: CountingHasher,
) -> None:
    await database.transaction(
        lambda uow: service.confirm(
            uow=uow,
            clients=clients,
            settings=settings,
            token=token,
            password=NEW_PASSWORD,
            hasher=hasher,
        )
    )


class TestConfirmChecksTheTokenFirst:
    async def test_an_unknown_token_costs_no_hashing(
        self, database: Database, clients: AwsClients, settings: Settings
    ) -> None:
        hasher = CountingHasher()
        with pytest.raises(errors.NotFound):
            await confirm_with(
                database, clients=clients, settings=settings, token="u" * 43, hasher=hasher
            )
        assert hasher.calls == 0

    async def test_a_token_of_an_ended_generation_costs_no_hashing(
        self,
        client: httpx.AsyncClient,
        database: Database,
        clients: AwsClients,
        settings: Settings,
        author: Actor,
    ) -> None:
        assert author.email is not None
        older = await request_token(client, settings, author.email)
        newer = await request_token(client, settings, author.email)
        hasher = CountingHasher()

        await confirm_with(database, clients=clients, settings=settings, token=newer, hasher=hasher)
        with pytest.raises(errors.NotFound):
            await confirm_with(
                database, clients=clients, settings=settings, token=older, hasher=hasher
            )

        assert hasher.calls == 1
