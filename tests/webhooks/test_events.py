"""emit: one delivery per active subscription to the type, recorded with the caller's change
(gone with its rollback), with ids every attempt of the request draws alike."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from app.platform.db.database import Database
from app.platform.db.models import WebhookDelivery
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings
from app.webhooks import events, service


class Rollback(Exception):
    """Raised after the change, so that the unit of work rolls back."""


async def subscribe(
    database: Database, settings: Settings, types: list[str], *, active: bool = True
) -> uuid.UUID:
    created = await database.transaction(
        lambda uow: service.create(
            uow=uow,
            settings=settings,
            url="https://93.184.215.14/hook",
            event_types=types,
            description=None,
            active=active,
        )
    )
    return created.webhook.id


async def rows(database: Database) -> list[WebhookDelivery]:
    async def read(uow: UnitOfWork) -> list[WebhookDelivery]:
        statement = select(WebhookDelivery).order_by(WebhookDelivery.created_at)
        return list((await uow.session.scalars(statement)).all())

    return await database.transaction(read)


async def test_an_unknown_event_type_is_a_bug(database: Database) -> None:
    with pytest.raises(ValueError, match="unknown webhook event type"):
        await database.transaction(lambda uow: events.emit(uow, event_type="post.x", data={}))


async def test_nothing_is_recorded_without_subscribers(
    database: Database, settings: Settings
) -> None:
    await subscribe(database, settings, ["tag.created"])
    await subscribe(database, settings, ["post.published"], active=False)
    await database.transaction(lambda uow: events.emit(uow, event_type="post.published", data={}))
    assert await rows(database) == []


async def test_a_rolled_back_change_leaves_no_delivery(
    database: Database, settings: Settings
) -> None:
    await subscribe(database, settings, ["post.published"])

    async def change(uow: UnitOfWork) -> None:
        await events.emit(uow, event_type="post.published", data={"id": "p"})
        raise Rollback

    with pytest.raises(Rollback):
        await database.transaction(change)
    assert await rows(database) == []


async def test_one_delivery_per_active_subscriber(database: Database, settings: Settings) -> None:
    first = await subscribe(database, settings, ["post.published", "post.updated"])
    second = await subscribe(database, settings, ["post.published"])
    await subscribe(database, settings, ["post.updated"])
    data = {"id": uuid.UUID(int=1), "title": "Hello"}

    await database.transaction(lambda uow: events.emit(uow, event_type="post.published", data=data))

    found = await rows(database)
    assert {row.webhook_id for row in found} == {first, second}
    assert len({row.event_id for row in found}) == 1
    assert {(row.status, row.attempts) for row in found} == {("pending", 0)}
    body = json.loads(found[0].payload)
    assert body["type"] == "post.published"
    assert body["data"] == {"id": str(uuid.UUID(int=1)), "title": "Hello"}
    assert body["timestamp"].endswith("Z")


async def test_every_attempt_of_a_request_draws_the_same_event_ids(
    database: Database, settings: Settings
) -> None:
    await subscribe(database, settings, ["tag.created", "tag.deleted"])
    request_id = uuid.uuid4()
    drawn: list[list[uuid.UUID]] = []

    async def two_events(uow: UnitOfWork) -> None:
        first, second = events.event_id(uow), events.event_id(uow)
        drawn.append([first, second])
        if len(drawn) == 1:
            raise Rollback

    with pytest.raises(Rollback):
        await database.transaction(two_events, request_id=request_id)
    await database.transaction(two_events, request_id=request_id)

    assert drawn[0] == drawn[1]
    assert drawn[0][0] != drawn[0][1]

    async def both(uow: UnitOfWork) -> None:
        await events.emit(uow, event_type="tag.created", data={})
        await events.emit(uow, event_type="tag.deleted", data={})

    await database.transaction(both)

    async def count(uow: UnitOfWork) -> int:
        return int(await uow.session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0)

    assert await database.transaction(count) == 2
