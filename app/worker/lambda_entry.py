"""The job worker on Lambda: the handler of an SQS trigger with ReportBatchItemFailures on, and
of the EventBridge schedule that sweeps the outbox, sends due webhook deliveries, writes the views
a request left behind, publishes due scheduled posts, purges old trash and expires uploads
(docs/infra.md)."""

from __future__ import annotations

import asyncio
from typing import Any

from app.attachments import tasks as attachment_tasks
from app.bootstrap import open_resources
from app.platform.db.models import utcnow
from app.posts import scheduling, trash
from app.settings import get_settings
from app.views import tasks as view_tasks
from app.webhooks import tasks as webhook_tasks
from app.worker import registry

SCHEDULED = "Scheduled Event"
# Batches of webhook deliveries one scheduled sweep sends at most (app/webhooks/tasks.py).
WEBHOOK_ROUNDS = 10


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Run the batch's jobs; the failed messages are reported so only they come back.

    A scheduled event sweeps the outbox, publishes due scheduled posts, purges old trash and
    expires uploads instead, as the poller does between receives.
    """
    if event.get("detail-type") == SCHEDULED:
        return _sweep()

    async def run() -> list[str]:
        async with open_resources(get_settings()) as resources:
            return await registry.handle_records(
                resources=resources, records=event.get("Records", [])
            )

    failed = asyncio.run(run())
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _sweep() -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with open_resources(get_settings()) as resources:
            database, settings = resources.database, resources.settings
            scheduled = await scheduling.publish_due(
                database=database, settings=settings, now=utcnow()
            )
            done = await resources.outbox.sweep()
            expiry = await attachment_tasks.expire_uploads(resources=resources)
            purged = await trash.purge_due(database=database, settings=settings, now=utcnow())
            webhooks = await webhook_tasks.drain(
                database=database, settings=settings, rounds=WEBHOOK_ROUNDS
            )
            views = await view_tasks.flush_stranded(
                store=resources.cache.store, clients=resources.aws
            )
        return {
            "delivered": done.delivered,
            "failed": done.failed,
            "dead": done.dead,
            "expired": expiry.expired,
            "leftovers": expiry.leftovers,
            "published": scheduled.published,
            "unscheduled": scheduled.unscheduled,
            "purged": purged,
            "webhooksSent": webhooks.sent,
            "webhooksSucceeded": webhooks.succeeded,
            "viewPostsSwept": views.posts,
        }

    return asyncio.run(run())
