"""The tags' domain events (tag.created, tag.updated, tag.deleted) as webhook deliveries."""

from __future__ import annotations

from typing import Any

from app.platform.db.models import Tag
from app.platform.db.unit_of_work import UnitOfWork
from app.webhooks import events as webhook_events

TAG_CREATED, TAG_UPDATED, TAG_DELETED = "tag.created", "tag.updated", "tag.deleted"


def representation(tag: Tag) -> dict[str, Any]:
    """The tag as the API shows it (the Tag schema): the `data` of its events."""
    return {
        "id": str(tag.id),
        "name": tag.name,
        "slug": tag.slug,
        "createdAt": webhook_events.iso(tag.created_at),
        "updatedAt": webhook_events.iso(tag.updated_at),
    }


async def announce(uow: UnitOfWork, *, event_type: str, tag: Tag) -> None:
    await webhook_events.emit(uow, event_type=event_type, data=representation(tag))
