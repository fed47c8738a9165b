"""The categories' domain events (category.created, category.updated, category.deleted), as
webhook deliveries recorded with the change (app/webhooks/events.py)."""

from __future__ import annotations

from typing import Any

from app.platform.db.models import Category
from app.platform.db.unit_of_work import UnitOfWork
from app.webhooks import events as webhook_events

CATEGORY_CREATED = "category.created"
CATEGORY_UPDATED = "category.updated"
CATEGORY_DELETED = "category.deleted"


def representation(category: Category) -> dict[str, Any]:
    """The category as the API shows it (the Category schema): the `data` of its events."""
    return {
        "id": str(category.id),
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        "createdAt": webhook_events.iso(category.created_at),
        "updatedAt": webhook_events.iso(category.updated_at),
    }


async def announce(uow: UnitOfWork, *, event_type: str, category: Category) -> None:
    await webhook_events.emit(uow, event_type=event_type, data=representation(category))
