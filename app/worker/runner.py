"""The job worker: a Lambda SQS handler, and `python -m app.worker.runner` to poll locally.

Jobs: checking an uploaded attachment, and issuing a password-reset token.

A job that finds bad content fails for good (its record says why); an unavailable dependency
raises instead, so SQS delivers the message again and, after repeated failures, dead-letters it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.attachments import images
from app.attachments.repository import AttachmentRepository
from app.jobs import repository as jobs
from app.password_resets import service as resets
from app.platform.aws import s3, secrets
from app.platform.aws.calls import call
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.settings import get_settings

logger = logging.getLogger(__name__)


async def run_job(*, database: Database, clients: AwsClients, body: dict[str, Any]) -> None:
    """Run one message's job, by its type (attachment processing when it names none)."""
    kind = body.get("type", jobs.PROCESS_ATTACHMENT)
    if kind == jobs.PROCESS_ATTACHMENT:
        await process_attachment(database=database, clients=clients, body=body)
    elif kind == resets.ISSUE:
        await database.transaction(
            lambda uow: resets.issue(
                uow=uow, clients=clients, settings=clients.settings, email=body["email"]
            )
        )
    else:
        raise ValueError(f"unknown job type {kind!r}")


async def process_attachment(
    *, database: Database, clients: AwsClients, body: dict[str, Any]
) -> None:
    job_id, attachment_id = uuid.UUID(body["jobId"]), uuid.UUID(body["attachmentId"])
    if not await jobs.start(clients, job_id=job_id):
        logger.info("job already finished or unknown", extra={"job_id": str(job_id)})
        return
    attachment = await database.transaction(
        lambda uow: AttachmentRepository(uow.session).get_by_id(attachment_id)
    )
    if attachment is None or attachment.job_id != job_id:
        await jobs.finish(clients, job_id=job_id, error="The attachment no longer exists.")
        return
    data = await s3.read_prefix(clients, key=attachment.object_key, max_bytes=images.HEADER_BYTES)
    error, result = _inspect(data, declared=attachment.content_type)
    if error is not None:
        await s3.delete(clients, key=attachment.object_key)
    await database.transaction(
        lambda uow: AttachmentRepository(uow.session).set_status_for_job(
            attachment_id=attachment_id,
            job_id=job_id,
            status="rejected" if error else "ready",
        )
    )
    await jobs.finish(clients, job_id=job_id, error=error, result=result)


def _inspect(data: bytes | None, *, declared: str) -> tuple[str | None, dict[str, Any] | None]:
    if data is None:
        return "The uploaded file is gone.", None
    try:
        info = images.inspect(data)
    except images.NotAnImage as exc:
        return str(exc), None
    if info.content_type != declared:
        return f"The file is {info.content_type}, not the declared {declared}.", None
    return None, {"width": info.width, "height": info.height, "format": info.format}


async def handle_records(
    *, database: Database, clients: AwsClients, records: list[dict[str, Any]]
) -> list[str]:
    """Run each SQS record's job; the message ids that failed and should be delivered again."""
    failed: list[str] = []
    for record in records:
        try:
            await run_job(database=database, clients=clients, body=json.loads(record["body"]))
        except Exception:
            logger.exception("job failed", extra={"message_id": record.get("messageId")})
            failed.append(record["messageId"])
    return failed


@asynccontextmanager
async def resources() -> AsyncIterator[tuple[Database, AwsClients]]:
    """The database and AWS clients, with the token pepper read from its store as the app does."""
    settings = get_settings()
    bootstrap = AwsClients(settings)
    try:
        reader = secrets.SecretReader(bootstrap, ttl_seconds=settings.secrets_cache_ttl_seconds)
        resolved = await secrets.resolve(settings, reader)
    finally:
        await asyncio.to_thread(bootstrap.close)
    database, clients = Database(resolved), AwsClients(resolved)
    try:
        yield database, clients
    finally:
        await asyncio.to_thread(clients.close)
        await database.dispose()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Entry point for an SQS trigger with ReportBatchItemFailures enabled."""

    async def run() -> list[str]:
        async with resources() as (database, clients):
            return await handle_records(
                database=database, clients=clients, records=event.get("Records", [])
            )

    failed = asyncio.run(run())
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


async def poll(*, database: Database, clients: AwsClients, batches: int, wait_seconds: int) -> int:
    """Receive and run up to `batches` batches of jobs; the number of jobs run."""
    url = await call(clients.queue_url, clients.settings.jobs_queue)
    done = 0
    for _ in range(batches):
        answer = await call(
            clients.sqs().receive_message,
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
        )
        messages = answer.get("Messages", [])
        records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]
        failed = set(await handle_records(database=database, clients=clients, records=records))
        for message in messages:
            if message["MessageId"] not in failed:
                await call(
                    clients.sqs().delete_message,
                    QueueUrl=url,
                    ReceiptHandle=message["ReceiptHandle"],
                )
                done += 1
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description="Poll the jobs queue and run the jobs.")
    parser.add_argument("--batches", type=int, default=1_000_000, help="stop after this many")
    parser.add_argument("--wait-seconds", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)

    async def run() -> None:
        async with resources() as (database, clients):
            await poll(
                database=database,
                clients=clients,
                batches=args.batches,
                wait_seconds=args.wait_seconds,
            )

    asyncio.run(run())


if __name__ == "__main__":
    main()
