"""The one dispatch table of the job worker: a message's type names the job that runs it.

A job that finds bad content fails for good (its record says why); an unavailable dependency
raises instead, so SQS delivers the message again and, after repeated failures, dead-letters it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Mapping
from typing import Any, Protocol

from app.attachments import tasks as attachment_tasks
from app.jobs.repository import PROCESS_ATTACHMENT
from app.password_resets import service as resets
from app.password_resets import tasks as reset_tasks
from app.platform.resources import Resources

logger = logging.getLogger(__name__)


class Handler(Protocol):
    def __call__(self, *, resources: Resources, body: dict[str, Any]) -> Awaitable[None]: ...


HANDLERS: Mapping[str, Handler] = {
    PROCESS_ATTACHMENT: attachment_tasks.process_attachment,
    resets.ISSUE: reset_tasks.issue,
}
# Attachment messages were sent before messages had a type; they still arrive without one.
DEFAULT_TYPE = PROCESS_ATTACHMENT


async def run_job(*, resources: Resources, body: dict[str, Any]) -> None:
    """Run one message's job, by its type; ValueError for a type no handler takes."""
    kind = body.get("type", DEFAULT_TYPE)
    handler = HANDLERS.get(kind)
    if handler is None:
        raise ValueError(f"unknown job type {kind!r}")
    await handler(resources=resources, body=body)


async def handle_records(*, resources: Resources, records: list[dict[str, Any]]) -> list[str]:
    """Run each SQS record's job; the message ids that failed and should be delivered again."""
    failed: list[str] = []
    for record in records:
        try:
            await run_job(resources=resources, body=json.loads(record["body"]))
        except Exception:
            logger.exception("job failed", extra={"message_id": record.get("messageId")})
            failed.append(record["messageId"])
    return failed
