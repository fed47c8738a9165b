from __future__ import annotations

from uuid import UUID

from app.http.context import RequestContext
from app.platform.db import models as m
from app.webhooks import service as webhooks_service
from generated.models import (
    NewWebhook,
    NewWebhookEnvelope,
    PageMeta,
    Webhook,
    WebhookAttempt,
    WebhookCreate,
    WebhookDelivery,
    WebhookDeliveryEnvelope,
    WebhookDeliveryListEnvelope,
    WebhookDeliveryStatus,
    WebhookEnvelope,
    WebhookEventType,
    WebhookListEnvelope,
    WebhookUpdate,
)


def to_webhook(webhook: m.Webhook) -> Webhook:
    return Webhook(
        id=webhook.id,
        url=webhook.url,
        description=webhook.description,
        eventTypes=[WebhookEventType(t) for t in webhook.event_types.split()],
        active=webhook.active,
        createdAt=webhook.created_at,
        updatedAt=webhook.updated_at,
    )


def to_new_webhook(created: webhooks_service.NewSecret) -> NewWebhook:
    shown = to_webhook(created.webhook)
    return NewWebhook(**shown.model_dump(), secret=created.secret)


def to_attempt(attempt: m.WebhookAttempt) -> WebhookAttempt:
    return WebhookAttempt(
        attemptedAt=attempt.attempted_at,
        statusCode=attempt.status_code,
        error=attempt.error,
        durationMs=attempt.duration_ms,
        responseBody=attempt.response_body,
    )


def to_delivery(delivery: m.WebhookDelivery, attempts: list[m.WebhookAttempt]) -> WebhookDelivery:
    return WebhookDelivery(
        id=delivery.id,
        eventId=delivery.event_id,
        eventType=WebhookEventType(delivery.event_type),
        status=WebhookDeliveryStatus(delivery.status),
        attempts=delivery.attempts,
        lastStatusCode=delivery.last_status_code,
        nextAttemptAt=delivery.next_attempt_at,
        createdAt=delivery.created_at,
        updatedAt=delivery.updated_at,
        attemptLog=[to_attempt(a) for a in attempts],
    )


async def list_webhooks(
    ctx: RequestContext, *, cursor: str | None, limit: int
) -> WebhookListEnvelope:
    page = await webhooks_service.list_page(
        uow=ctx.uow, cursor_text=cursor, limit=limit, key=ctx.resources.settings.cursor_key()
    )
    return WebhookListEnvelope(
        success=True,
        data=[to_webhook(w) for w in page.webhooks],
        error=None,
        meta=PageMeta(nextCursor=page.next_cursor, limit=limit),
    )


async def create_webhook(ctx: RequestContext, *, body: WebhookCreate) -> NewWebhookEnvelope:
    created = await webhooks_service.create(
        uow=ctx.uow,
        settings=ctx.resources.settings,
        url=body.url,
        event_types=[t.value for t in body.eventTypes],
        description=body.description,
        active=body.active,
    )
    ctx.response.headers["Location"] = f"/v1/webhooks/{created.webhook.id}"
    return NewWebhookEnvelope(success=True, data=to_new_webhook(created), error=None)


async def get_webhook(ctx: RequestContext, *, webhook_id: UUID) -> WebhookEnvelope:
    webhook = await webhooks_service.get(uow=ctx.uow, webhook_id=webhook_id)
    return WebhookEnvelope(success=True, data=to_webhook(webhook), error=None)


async def update_webhook(
    ctx: RequestContext, *, webhook_id: UUID, body: WebhookUpdate
) -> WebhookEnvelope:
    webhook = await webhooks_service.update(
        uow=ctx.uow,
        settings=ctx.resources.settings,
        webhook_id=webhook_id,
        url=body.url,
        event_types=None if body.eventTypes is None else [t.value for t in body.eventTypes],
        description=body.description,
        active=body.active,
    )
    return WebhookEnvelope(success=True, data=to_webhook(webhook), error=None)


async def delete_webhook(ctx: RequestContext, *, webhook_id: UUID) -> None:
    await webhooks_service.delete(uow=ctx.uow, webhook_id=webhook_id)


async def rotate_webhook_secret(ctx: RequestContext, *, webhook_id: UUID) -> NewWebhookEnvelope:
    rotated = await webhooks_service.rotate_secret(
        uow=ctx.uow, settings=ctx.resources.settings, webhook_id=webhook_id
    )
    return NewWebhookEnvelope(success=True, data=to_new_webhook(rotated), error=None)


async def list_webhook_deliveries(
    ctx: RequestContext, *, cursor: str | None, limit: int, webhook_id: UUID
) -> WebhookDeliveryListEnvelope:
    page = await webhooks_service.list_deliveries(
        uow=ctx.uow,
        webhook_id=webhook_id,
        cursor_text=cursor,
        limit=limit,
        key=ctx.resources.settings.cursor_key(),
    )
    return WebhookDeliveryListEnvelope(
        success=True,
        data=[to_delivery(d, page.attempts[d.id]) for d in page.deliveries],
        error=None,
        meta=PageMeta(nextCursor=page.next_cursor, limit=limit),
    )


async def redeliver_webhook_delivery(
    ctx: RequestContext, *, webhook_id: UUID, delivery_id: UUID
) -> WebhookDeliveryEnvelope:
    delivery, attempts = await webhooks_service.redeliver(
        uow=ctx.uow, webhook_id=webhook_id, delivery_id=delivery_id
    )
    return WebhookDeliveryEnvelope(success=True, data=to_delivery(delivery, attempts), error=None)
