"""All SQL of webhooks: subscriptions, their deliveries and the attempts at them.

Claims follow the outbox's (app/platform/outbox/repository.py): a claim moves a due delivery's
next_attempt_at past the claim's end in one UPDATE that re-checks it is still due, so two
workers' claims of a row conflict (under DSQL's optimistic concurrency one retries and finds it
taken), and a result is written only while the claim that made it still holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import msgspec
from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.cursor import Position
from app.platform.db.models import Webhook, WebhookAttempt, WebhookDelivery


class Claimed(msgspec.Struct, frozen=True):
    """A claimed delivery with what sending it needs from its subscription."""

    delivery: WebhookDelivery
    webhook: Webhook


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, *, after: Position | None, limit: int) -> list[Webhook]:
        """Up to limit subscriptions, newest first, strictly after the given position."""
        statement = select(Webhook)
        if after is not None:
            statement = statement.where(
                tuple_(Webhook.created_at, Webhook.id) < tuple_(after.created_at, after.id)
            )
        statement = statement.order_by(Webhook.created_at.desc(), Webhook.id.desc()).limit(limit)
        return list((await self.session.scalars(statement)).all())

    async def get(self, webhook_id: uuid.UUID) -> Webhook | None:
        return await self.session.get(Webhook, webhook_id)

    async def subscribers(self, event_type: str) -> list[uuid.UUID]:
        """The active subscriptions to event_type: one query on webhooks_active_idx."""
        statement = select(Webhook.id, Webhook.event_types).where(Webhook.active.is_(True))
        rows = await self.session.execute(statement)
        return [row.id for row in rows if event_type in row.event_types.split()]

    async def add(self, webhook: Webhook) -> Webhook:
        self.session.add(webhook)
        await self.session.flush()
        return webhook

    async def save(self, webhook: Webhook) -> Webhook:
        await self.session.flush()
        return webhook

    async def delete(self, webhook: Webhook) -> None:
        """The subscription with its deliveries and their attempts (no reliance on cascades,
        which SQLite enforces only with its pragma)."""
        deliveries = select(WebhookDelivery.id).where(WebhookDelivery.webhook_id == webhook.id)
        await self.session.execute(
            delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(deliveries))
        )
        await self.session.execute(
            delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
        )
        await self.session.delete(webhook)
        await self.session.flush()


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_all(self, deliveries: Sequence[WebhookDelivery]) -> None:
        self.session.add_all(deliveries)
        await self.session.flush()

    async def get(self, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> WebhookDelivery | None:
        delivery = await self.session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.webhook_id != webhook_id:
            return None
        return delivery

    async def page(
        self, webhook_id: uuid.UUID, *, after: Position | None, limit: int
    ) -> list[WebhookDelivery]:
        """Up to limit of the subscription's deliveries, newest first, after the position."""
        statement = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
        if after is not None:
            statement = statement.where(
                tuple_(WebhookDelivery.created_at, WebhookDelivery.id)
                < tuple_(after.created_at, after.id)
            )
        statement = statement.order_by(
            WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()
        ).limit(limit)
        return list((await self.session.scalars(statement)).all())

    async def attempts(
        self, delivery_ids: Sequence[uuid.UUID], *, per_delivery: int
    ) -> dict[uuid.UUID, list[WebhookAttempt]]:
        """The latest attempts of each delivery, newest first."""
        found: dict[uuid.UUID, list[WebhookAttempt]] = {id_: [] for id_ in delivery_ids}
        if not delivery_ids:
            return found
        statement = (
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.attempted_at.desc(), WebhookAttempt.id.desc())
        )
        for attempt in (await self.session.scalars(statement)).all():
            kept = found[attempt.delivery_id]
            if len(kept) < per_delivery:
                kept.append(attempt)
        return found

    async def claim(self, *, now: datetime, until: datetime, limit: int) -> list[Claimed]:
        """Take up to limit due pending deliveries of active subscriptions, oldest due first,
        until `until`; each claim counts as an attempt."""
        due = (
            select(WebhookDelivery.id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                Webhook.active.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )
        ids = list((await self.session.scalars(due)).all())
        if not ids:
            return []
        claimed = await self.session.scalars(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(ids),
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=until, attempts=WebhookDelivery.attempts + 1)
            .returning(WebhookDelivery)
            .execution_options(synchronize_session=False)
        )
        deliveries = list(claimed.all())
        hooks = {
            hook.id: hook
            for hook in await self.session.scalars(
                select(Webhook).where(Webhook.id.in_({d.webhook_id for d in deliveries}))
            )
        }
        found = [Claimed(d, hooks[d.webhook_id]) for d in deliveries]
        return sorted(found, key=lambda c: (c.delivery.created_at, c.delivery.id))

    async def settle(
        self,
        *,
        delivery_id: uuid.UUID,
        claimed_until: datetime,
        attempt: WebhookAttempt,
        status: str,
        next_attempt_at: datetime | None,
        now: datetime,
    ) -> bool:
        """Record an attempt's result while its claim holds; False when the claim was lost (a
        redelivery, or the claim expired and another worker took it), and nothing is written."""
        result = await self.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at == claimed_until,
            )
            .values(
                status=status,
                last_status_code=attempt.status_code,
                next_attempt_at=next_attempt_at,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            return False
        self.session.add(attempt)
        await self.session.flush()
        return True

    async def redeliver(self, delivery: WebhookDelivery, *, now: datetime) -> WebhookDelivery:
        """Due now, as a new series of attempts."""
        delivery.status = "pending"
        delivery.attempts = 0
        delivery.next_attempt_at = now
        delivery.updated_at = now
        await self.session.flush()
        return delivery
