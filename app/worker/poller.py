"""The job worker from a shell: `python -m app.worker.poller` receives from the jobs queue;
between receives it sweeps the outbox, sends due webhook deliveries (app/webhooks/tasks.py)
and writes the views a request left behind (app/views/tasks.py) every
OUTBOX_SWEEP_INTERVAL_SECONDS, publishes due scheduled posts and purges old trash every
POSTS_SWEEP_INTERVAL_SECONDS (app/posts/scheduling.py, trash.py), and expires uploads nobody
completed every minute (app/attachments/tasks.py)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import time

from app.attachments import tasks as attachment_tasks
from app.bootstrap import open_resources
from app.platform.aws.calls import call
from app.platform.db.models import utcnow
from app.platform.resources import Resources
from app.posts import scheduling, trash
from app.settings import get_settings
from app.views import tasks as view_tasks
from app.webhooks import tasks as webhook_tasks
from app.worker import registry

logger = logging.getLogger(__name__)


async def poll(*, resources: Resources, batches: int, wait_seconds: int) -> int:
    """Receive and run up to `batches` batches of jobs; the number of jobs run.

    A failed message is left in the queue, to come back after its visibility timeout. Before a
    receive, the outbox is swept when the last sweep is older than its interval, and uploads
    are expired when the last expiry is older than its own.
    """
    aws = resources.aws
    url = await call(aws.queue_url, aws.settings.jobs_queue)
    interval = resources.settings.outbox_sweep_interval_seconds
    posts_interval = resources.settings.posts_sweep_interval_seconds
    wait_seconds = min(wait_seconds, max(1, int(min(interval, posts_interval))))
    done = 0
    last_sweep = -interval
    last_posts_sweep = -posts_interval
    last_expiry = -attachment_tasks.EXPIRY_INTERVAL_SECONDS
    for _ in range(batches):
        if time.monotonic() - last_sweep >= interval:
            last_sweep = time.monotonic()
            await sweep(resources)
            await deliver_webhooks(resources)
            await flush_views(resources)
        if time.monotonic() - last_posts_sweep >= posts_interval:
            last_posts_sweep = time.monotonic()
            await sweep_posts(resources)
        if time.monotonic() - last_expiry >= attachment_tasks.EXPIRY_INTERVAL_SECONDS:
            last_expiry = time.monotonic()
            await expire(resources)
        answer = await call(
            aws.sqs().receive_message,
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
        )
        messages = answer.get("Messages", [])
        records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]
        failed = set(await registry.handle_records(resources=resources, records=records))
        for message in messages:
            if message["MessageId"] not in failed:
                await call(
                    aws.sqs().delete_message, QueueUrl=url, ReceiptHandle=message["ReceiptHandle"]
                )
                done += 1
    return done


async def sweep(resources: Resources) -> None:
    """One outbox sweep; a failure (the database down) waits for the next one."""
    try:
        result = await resources.outbox.sweep()
    except Exception:
        logger.exception("outbox sweep failed")
        return
    if result.delivered or result.failed:
        logger.info(
            "outbox swept",
            extra={"delivered": result.delivered, "failed": result.failed, "dead": result.dead},
        )


async def sweep_posts(resources: Resources) -> None:
    """Publish the scheduled posts that are due, then purge old trash; a failure of either
    waits for the next sweep."""
    database, settings = resources.database, resources.settings
    try:
        result = await scheduling.publish_due(database=database, settings=settings, now=utcnow())
        if result.published or result.unscheduled:
            logger.info(
                "scheduled posts swept",
                extra={"published": result.published, "unscheduled": result.unscheduled},
            )
    except Exception:
        logger.exception("scheduled publishing failed")
    try:
        purged = await trash.purge_due(database=database, settings=settings, now=utcnow())
        if purged:
            logger.info("trash purged", extra={"purged": purged})
    except Exception:
        logger.exception("trash purge failed")


async def deliver_webhooks(resources: Resources) -> None:
    """One batch of due webhook deliveries (app/webhooks/tasks.py); a failure waits for the
    next interval."""
    try:
        done = await webhook_tasks.deliver_due(
            database=resources.database, settings=resources.settings
        )
    except Exception:
        logger.exception("webhook delivery sweep failed")
        return
    if done.sent:
        logger.info(
            "webhook deliveries sent",
            extra={"sent": done.sent, "succeeded": done.succeeded, "failed": done.failed},
        )


async def flush_views(resources: Resources) -> None:
    """Write the views whose request could not (app/views/tasks.py); a failure waits for the
    next interval."""
    try:
        swept = await view_tasks.flush_stranded(store=resources.cache.store, clients=resources.aws)
    except Exception:
        logger.exception("view sweep failed")
        return
    if swept.posts:
        logger.info("views swept", extra={"posts": swept.posts, "left": swept.left})


async def expire(resources: Resources) -> None:
    """One expiry sweep of uploads; a failure waits for the next one."""
    try:
        await attachment_tasks.expire_uploads(resources=resources)
    except Exception:
        logger.exception("upload expiry failed")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Poll the jobs queue and run the jobs.")
    parser.add_argument("--batches", type=int, default=1_000_000, help="stop after this many")
    parser.add_argument("--wait-seconds", type=int, default=10)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)

    async def run() -> None:
        async with open_resources(get_settings()) as resources:
            await poll(resources=resources, batches=args.batches, wait_seconds=args.wait_seconds)

    asyncio.run(run())


if __name__ == "__main__":
    main()
