"""Category changes record their webhook events, with the category as the API shows it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from app import errors
from app.categories import service
from app.platform.db.database import Database
from app.platform.db.models import WebhookDelivery
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings
from app.webhooks import service as webhooks_service

TYPES = ["category.created", "category.updated", "category.deleted"]


async def payloads(database: Database) -> list[dict[str, Any]]:
    async def read(uow: UnitOfWork) -> list[WebhookDelivery]:
        statement = select(WebhookDelivery).order_by(WebhookDelivery.created_at)
        return list((await uow.session.scalars(statement)).all())

    return [json.loads(row.payload) for row in await database.transaction(read)]


async def test_a_refused_change_records_no_event(database: Database, settings: Settings) -> None:
    await database.transaction(
        lambda uow: webhooks_service.create(
            uow=uow,
            settings=settings,
            url="https://93.184.215.14/h",
            event_types=TYPES,
            description=None,
            active=None,
        )
    )
    await database.transaction(
        lambda uow: service.create(uow=uow, name="News", slug="news", description=None)
    )
    with pytest.raises(errors.Conflict):
        await database.transaction(
            lambda uow: service.create(uow=uow, name="Other", slug="news", description=None)
        )
    assert [p["type"] for p in await payloads(database)] == ["category.created"]


async def test_create_update_delete(database: Database, settings: Settings) -> None:
    await database.transaction(
        lambda uow: webhooks_service.create(
            uow=uow,
            settings=settings,
            url="https://93.184.215.14/h",
            event_types=TYPES,
            description=None,
            active=None,
        )
    )
    made = await database.transaction(
        lambda uow: service.create(uow=uow, name="News", slug=None, description="All")
    )
    await database.transaction(
        lambda uow: service.update(
            uow=uow, category_id=made.id, name="Newer", slug=None, description=None
        )
    )
    await database.transaction(lambda uow: service.delete(uow=uow, category_id=made.id))

    found = await payloads(database)
    assert [p["type"] for p in found] == TYPES
    created = found[0]["data"]
    assert created == {
        "id": str(made.id),
        "name": "News",
        "slug": "news",
        "description": "All",
        "createdAt": created["createdAt"],
        "updatedAt": created["updatedAt"],
    }
    assert str(created["createdAt"]).endswith("Z")
    assert found[1]["data"]["name"] == "Newer"
    assert found[2]["data"]["name"] == "Newer"
