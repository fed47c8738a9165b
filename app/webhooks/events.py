"""Domain events as webhook deliveries: what the posts, tags and categories domains call.

`emit` records, in the caller's transaction, one delivery per active subscription to the event's
type, with the payload frozen as sent in every attempt; the worker sends it after the commit
(app/webhooks/tasks.py). Nothing leaves before the commit, and an attempt that rolls back leaves
no delivery. The event id is drawn from the request id and the event's place in its unit of
work, as the outbox's ids are: every attempt of one logical request records the same events,
and a receiver deduplicates on the id (the webhook-id header).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from app.platform.db.models import WebhookDelivery, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.webhooks.repository import DeliveryRepository, WebhookRepository

EVENT_TYPES = (
    "post.published",
    "post.updated",
    "post.unpublished",
    "post.deleted",
    "tag.created",
    "tag.updated",
    "tag.deleted",
    "category.created",
    "category.updated",
    "category.deleted",
)
# The unit's count of events so far, kept on its session: a retried attempt has a new session.
_SEQUENCE = "webhook_event_seq"


def event_id(uow: UnitOfWork) -> uuid.UUID:
    """The next event's id in this unit of work: the same in every attempt of the request."""
    seq: int = uow.session.info.get(_SEQUENCE, 0)
    uow.session.info[_SEQUENCE] = seq + 1
    return uuid.uuid5(uow.request_id, f"webhook:{seq}")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON")


def payload(*, event_type: str, at: datetime, data: Mapping[str, Any]) -> str:
    """The body of every attempt: {type, timestamp, data}, as compact JSON."""
    body = {"type": event_type, "timestamp": iso(at), "data": dict(data)}
    return json.dumps(body, separators=(",", ":"), default=_plain)


async def emit(uow: UnitOfWork, *, event_type: str, data: Mapping[str, Any]) -> None:
    """Record event_type with its data (the `data` of the webhook payload) for delivery."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    event = event_id(uow)
    subscribers = await WebhookRepository(uow.session).subscribers(event_type)
    if not subscribers:
        return
    now = utcnow()
    body = payload(event_type=event_type, at=now, data=data)
    await DeliveryRepository(uow.session).add_all(
        [
            WebhookDelivery(
                id=uuid.uuid5(event, str(webhook_id)),
                webhook_id=webhook_id,
                event_id=event,
                event_type=event_type,
                payload=body,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
            for webhook_id in subscribers
        ]
    )
