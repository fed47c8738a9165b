"""Job records in DynamoDB: queued, running, succeeded or failed, with timestamps and error."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from typing import Any

import msgspec

from app.platform.aws import dynamo
from app.platform.aws.clients import AwsClients
from app.platform.db.models import utcnow
from app.platform.outbox import messages
from app.platform.outbox.messages import Message

KEY = "jobId"
PROCESS_ATTACHMENT = "attachment.process"
# Records outlive any retry of their message; DynamoDB's TTL removes them afterwards.
RETENTION_SECONDS = 30 * 24 * 3600


class Job(msgspec.Struct, frozen=True):
    id: uuid.UUID
    owner_id: uuid.UUID
    attachment_id: uuid.UUID
    status: str
    created_at: datetime
    updated_at: datetime
    error: str | None
    result: dict[str, Any] | None


def _job(item: dict[str, Any]) -> Job:
    return Job(
        id=uuid.UUID(item[KEY]),
        owner_id=uuid.UUID(item["ownerId"]),
        attachment_id=uuid.UUID(item["attachmentId"]),
        status=item["status"],
        created_at=datetime.fromisoformat(item["createdAt"]),
        updated_at=datetime.fromisoformat(item["updatedAt"]),
        error=item.get("error"),
        result=item.get("result"),
    )


def queued(
    *, table: str, job_id: uuid.UUID, owner_id: uuid.UUID, attachment_id: uuid.UUID
) -> Message:
    """The new job's record, written through the outbox once the change that made it commits."""
    now = utcnow().isoformat()
    item = {
        KEY: str(job_id),
        "kind": PROCESS_ATTACHMENT,
        "ownerId": str(owner_id),
        "attachmentId": str(attachment_id),
        "status": "queued",
        "createdAt": now,
        "updatedAt": now,
        "error": None,
        "result": None,
        "expiresAt": int(time.time()) + RETENTION_SECONDS,
    }
    return messages.put_absent(table=table, key=KEY, item=item)


async def get(clients: AwsClients, *, job_id: uuid.UUID) -> Job | None:
    item = await dynamo.get_item(clients, table=clients.settings.jobs_table, key={KEY: str(job_id)})
    return _job(item) if item else None


async def start(clients: AwsClients, *, job_id: uuid.UUID) -> bool:
    """Mark the job running unless it already finished (a redelivered message); False then."""
    started = await dynamo.update_item(
        clients,
        table=clients.settings.jobs_table,
        key={KEY: str(job_id)},
        values={"status": "running", "updatedAt": utcnow().isoformat()},
        only_if="attribute_exists(jobId) AND #f0 IN (:queued, :running)",
        condition_values={":queued": "queued", ":running": "running"},
    )
    return started is not None


async def finish(
    clients: AwsClients,
    *,
    job_id: uuid.UUID,
    error: str | None = None,
    result: dict[str, Any] | None = None,
) -> None:
    await dynamo.update_item(
        clients,
        table=clients.settings.jobs_table,
        key={KEY: str(job_id)},
        values={
            "status": "failed" if error else "succeeded",
            "updatedAt": utcnow().isoformat(),
            "error": error,
            "result": result,
        },
    )
