"""The worker's delivery sweep: claim the due deliveries, send them, record each attempt.

The poller runs a sweep every OUTBOX_SWEEP_INTERVAL_SECONDS, and on Lambda the scheduled event
does (docs/infra.md, Webhooks). A claim is its own short transaction, the sends happen outside
any transaction, and each result is written only while its claim holds; a worker that dies
mid-batch leaves its claims to expire, and the deliveries go again, with the same webhook-id.

A 2xx settles a delivery as `succeeded`. Anything else waits for the next step of
WEBHOOKS_RETRY_SCHEDULE_SECONDS (with up to 10 % jitter, so receivers that failed together are
not retried together); once the schedule is spent the delivery is `failed`, until an admin
redelivers it.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import httpx
import msgspec

from app.platform.db.models import Webhook, WebhookAttempt, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox.relay import Transactions
from app.settings import Settings
from app.webhooks import delivery, signing
from app.webhooks.repository import Claimed, DeliveryRepository

logger = logging.getLogger(__name__)

JITTER = 0.1
# Sends of one batch in flight at once: a slow receiver holds up only its own.
CONCURRENCY = 10


class Sweep(msgspec.Struct, frozen=True):
    sent: int
    succeeded: int
    retrying: int
    failed: int


def next_attempt(
    attempts: int, *, schedule: Sequence[int], now: datetime, jitter: float = JITTER
) -> datetime | None:
    """When the attempt after `attempts` failed ones is due; None when the schedule is spent."""
    if attempts > len(schedule):
        return None
    wait = schedule[attempts - 1] * (1 + random.uniform(0, jitter))  # noqa: S311 - not secrecy
    return now + timedelta(seconds=wait)


def signing_secrets(webhook: Webhook, *, key: bytes, now: datetime) -> tuple[str, ...]:
    """The secrets that sign now: the current one, and the previous one during its grace."""
    current = signing.unseal(webhook.secret, key=key, webhook_id=webhook.id)
    expires = webhook.previous_secret_expires_at
    if webhook.previous_secret and expires is not None and expires > now:
        previous = signing.unseal(webhook.previous_secret, key=key, webhook_id=webhook.id)
        return current, previous
    return (current,)


async def deliver_due(
    *,
    database: Transactions,
    settings: Settings,
    clock: Callable[[], datetime] = utcnow,
    client: httpx.AsyncClient | None = None,
) -> Sweep:
    """One sweep: up to WEBHOOKS_BATCH due deliveries, sent and recorded (none while
    WEBHOOKS_DELIVER is off)."""
    if not settings.webhooks_deliver:
        return Sweep(0, 0, 0, 0)
    now = clock()
    until = now + timedelta(seconds=settings.webhooks_claim_seconds)

    async def claim(uow: UnitOfWork) -> list[Claimed]:
        return await DeliveryRepository(uow.session).claim(
            now=now, until=until, limit=settings.webhooks_batch
        )

    claimed = await database.transaction(claim)
    if not claimed:
        return Sweep(0, 0, 0, 0)
    own_client = client is None
    http = client or delivery.client(timeout=settings.webhooks_timeout_seconds)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: Claimed) -> str | None:
        async with gate:
            return await _attempt(
                item, database=database, settings=settings, clock=clock, http=http
            )

    try:
        results = await asyncio.gather(*(one(item) for item in claimed))
    finally:
        if own_client:
            await http.aclose()
    return Sweep(
        sent=len(claimed),
        succeeded=results.count("succeeded"),
        retrying=results.count("pending"),
        failed=results.count("failed"),
    )


async def _attempt(
    item: Claimed,
    *,
    database: Transactions,
    settings: Settings,
    clock: Callable[[], datetime],
    http: httpx.AsyncClient,
) -> str | None:
    """Send one claimed delivery and record the attempt; its new status, None if the claim
    was lost meanwhile."""
    row, webhook = item.delivery, item.webhook
    started = clock()
    try:
        secrets = signing_secrets(webhook, key=settings.webhook_secrets_key(), now=started)
    except signing.SealBroken:
        outcome = delivery.Outcome(None, "not sent: the signing secret cannot be read", 0, None)
    else:
        attempt = delivery.Attempt(
            url=webhook.url, msg_id=str(row.event_id), body=row.payload, secrets=secrets
        )
        outcome = await delivery.send(
            http,
            attempt,
            now=started,
            allow_private=settings.webhooks_allow_private_targets,
            deadline_seconds=settings.webhooks_timeout_seconds,
            resolve_seconds=settings.webhooks_resolve_timeout_seconds,
        )
    finished = clock()
    if outcome.succeeded:
        status, due = "succeeded", None
    else:
        due = next_attempt(
            row.attempts, schedule=settings.webhooks_retry_schedule_seconds, now=finished
        )
        status = "pending" if due is not None else "failed"
    claimed_until = row.next_attempt_at
    assert claimed_until is not None  # a claim always sets it

    async def settle(uow: UnitOfWork) -> bool:
        record = WebhookAttempt(
            delivery_id=row.id,
            attempted_at=started,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            response_body=outcome.body,
        )
        return await DeliveryRepository(uow.session).settle(
            delivery_id=row.id,
            claimed_until=claimed_until,
            attempt=record,
            status=status,
            next_attempt_at=due,
            now=finished,
        )

    if not await database.transaction(settle):
        logger.info("webhook delivery claim lost", extra={"delivery_id": str(row.id)})
        return None
    if not outcome.succeeded:
        logger.info(
            "webhook delivery attempt failed",
            extra={
                "delivery_id": str(row.id),
                "webhook_id": str(webhook.id),
                "status_code": outcome.status_code,
                "error": outcome.error,
                "next_status": status,
            },
        )
    return status


async def drain(*, database: Transactions, settings: Settings, rounds: int) -> Sweep:
    """Sweeps until one finds less than a full batch, at most `rounds` of them: for a scheduled
    invocation, which runs far less often than the poller's interval."""
    total = Sweep(0, 0, 0, 0)
    for _ in range(rounds):
        done = await deliver_due(database=database, settings=settings)
        total = Sweep(
            sent=total.sent + done.sent,
            succeeded=total.succeeded + done.succeeded,
            retrying=total.retrying + done.retrying,
            failed=total.failed + done.failed,
        )
        if done.sent < settings.webhooks_batch:
            break
    return total
