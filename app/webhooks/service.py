"""Webhook subscriptions (admins only, which the policy decides): their URLs, event types and
signing secrets, and their deliveries.

A URL is checked against the SSRF rule (app/webhooks/urls.py) when it is set; a host that does
not resolve yet is accepted (its deliveries fail until it does, and each send checks again).
A secret is shown once, when it is made; rotating keeps the previous one signing for
WEBHOOKS_ROTATION_GRACE_SECONDS, so a receiver can switch without refusing a delivery.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

import msgspec

from app import errors
from app.platform import cursor
from app.platform.db.models import Webhook, WebhookAttempt, WebhookDelivery, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings
from app.webhooks import signing, urls
from app.webhooks.repository import DeliveryRepository, WebhookRepository

# Attempts shown with each delivery (WebhookDelivery.attemptLog's maxItems).
ATTEMPTS_SHOWN = 20


class WebhookPage(msgspec.Struct, frozen=True):
    webhooks: list[Webhook]
    next_cursor: str | None


class DeliveryPage(msgspec.Struct, frozen=True):
    deliveries: list[WebhookDelivery]
    attempts: dict[uuid.UUID, list[WebhookAttempt]]
    next_cursor: str | None


class NewSecret(msgspec.Struct, frozen=True):
    """A subscription and its secret in clear, which only this answer carries."""

    webhook: Webhook
    secret: str


async def _checked_url(url: str, *, settings: Settings) -> str:
    try:
        await urls.check(
            url,
            allow_private=settings.webhooks_allow_private_targets,
            resolve_seconds=settings.webhooks_resolve_timeout_seconds,
        )
    except urls.Refused as exc:
        problem = errors.FieldProblem(location="body.url", message=str(exc), type="url_not_allowed")
        raise errors.ValidationFailed(details=[problem]) from None
    except urls.Unresolved:
        pass
    return url


def _event_types(types: Sequence[str]) -> str:
    if len(set(types)) != len(types):
        problem = errors.FieldProblem(
            location="body.eventTypes", message="Name each event type once.", type="not_unique"
        )
        raise errors.ValidationFailed(details=[problem])
    return " ".join(types)


async def list_page(
    *, uow: UnitOfWork, cursor_text: str | None, limit: int, key: bytes
) -> WebhookPage:
    after = cursor.decode(cursor_text, filters={}, key=key) if cursor_text else None
    webhooks = await WebhookRepository(uow.session).page(after=after, limit=limit + 1)
    next_cursor = None
    if len(webhooks) > limit:
        webhooks = webhooks[:limit]
        last = cursor.Position(created_at=webhooks[-1].created_at, id=webhooks[-1].id)
        next_cursor = cursor.encode(last, filters={}, key=key)
    return WebhookPage(webhooks=webhooks, next_cursor=next_cursor)


async def get(*, uow: UnitOfWork, webhook_id: uuid.UUID) -> Webhook:
    webhook = await WebhookRepository(uow.session).get(webhook_id)
    if webhook is None:
        raise errors.NotFound.of("webhook")
    return webhook


async def create(
    *,
    uow: UnitOfWork,
    settings: Settings,
    url: str,
    event_types: Sequence[str],
    description: str | None,
    active: bool | None,
) -> NewSecret:
    url = await _checked_url(url, settings=settings)
    webhook_id = uuid.uuid4()
    secret = signing.new_secret()
    now = utcnow()
    webhook = Webhook(
        id=webhook_id,
        url=url,
        description=description or "",
        event_types=_event_types(event_types),
        active=True if active is None else active,
        secret=signing.seal(secret, key=settings.webhook_secrets_key(), webhook_id=webhook_id),
        created_at=now,
        updated_at=now,
    )
    return NewSecret(await WebhookRepository(uow.session).add(webhook), secret)


async def update(
    *,
    uow: UnitOfWork,
    settings: Settings,
    webhook_id: uuid.UUID,
    url: str | None,
    event_types: Sequence[str] | None,
    description: str | None,
    active: bool | None,
) -> Webhook:
    webhook = await get(uow=uow, webhook_id=webhook_id)
    if url is not None:
        webhook.url = await _checked_url(url, settings=settings)
    if event_types is not None:
        webhook.event_types = _event_types(event_types)
    if description is not None:
        webhook.description = description
    if active is not None:
        webhook.active = active
    webhook.updated_at = utcnow()
    return await WebhookRepository(uow.session).save(webhook)


async def delete(*, uow: UnitOfWork, webhook_id: uuid.UUID) -> None:
    webhook = await get(uow=uow, webhook_id=webhook_id)
    await WebhookRepository(uow.session).delete(webhook)


async def rotate_secret(*, uow: UnitOfWork, settings: Settings, webhook_id: uuid.UUID) -> NewSecret:
    """A new secret; the current one keeps signing until the grace period ends."""
    webhook = await get(uow=uow, webhook_id=webhook_id)
    key = settings.webhook_secrets_key()
    now = utcnow()
    secret = signing.new_secret()
    grace = settings.webhooks_rotation_grace_seconds
    webhook.previous_secret = webhook.secret if grace else None
    webhook.previous_secret_expires_at = now + timedelta(seconds=grace) if grace else None
    webhook.secret = signing.seal(secret, key=key, webhook_id=webhook.id)
    webhook.updated_at = now
    return NewSecret(await WebhookRepository(uow.session).save(webhook), secret)


async def list_deliveries(
    *, uow: UnitOfWork, webhook_id: uuid.UUID, cursor_text: str | None, limit: int, key: bytes
) -> DeliveryPage:
    await get(uow=uow, webhook_id=webhook_id)
    filters = {"webhookId": webhook_id}
    after = cursor.decode(cursor_text, filters=filters, key=key) if cursor_text else None
    repository = DeliveryRepository(uow.session)
    deliveries = await repository.page(webhook_id, after=after, limit=limit + 1)
    next_cursor = None
    if len(deliveries) > limit:
        deliveries = deliveries[:limit]
        last = cursor.Position(created_at=deliveries[-1].created_at, id=deliveries[-1].id)
        next_cursor = cursor.encode(last, filters=filters, key=key)
    attempts = await repository.attempts([d.id for d in deliveries], per_delivery=ATTEMPTS_SHOWN)
    return DeliveryPage(deliveries=deliveries, attempts=attempts, next_cursor=next_cursor)


async def redeliver(
    *, uow: UnitOfWork, webhook_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    """Make the delivery due now as a new series of attempts; with its latest attempts."""
    await get(uow=uow, webhook_id=webhook_id)
    repository = DeliveryRepository(uow.session)
    delivery = await repository.get(webhook_id, delivery_id)
    if delivery is None:
        raise errors.NotFound.of("webhook delivery")
    delivery = await repository.redeliver(delivery, now=utcnow())
    attempts = await repository.attempts([delivery.id], per_delivery=ATTEMPTS_SHOWN)
    return delivery, attempts[delivery.id]
