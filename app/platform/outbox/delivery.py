"""Delivering one outbox message: at least once, carrying its id so a consumer can deduplicate.

A failure raises: the row stays, and the relay or the sweeper tries it again.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from app.platform.aws import dynamo, messaging, s3
from app.platform.aws.calls import AwsError
from app.platform.aws.clients import AwsClients
from app.platform.cache.reads import Cache
from app.platform.outbox import messages

# Carried by every queued message and event: the outbox id, stable across retries and sweeps.
ID_FIELD = "outboxId"


class UnknownKind(Exception):
    """A row of a kind this version cannot deliver: it goes dead rather than block others."""


async def deliver(
    *, aws: AwsClients, cache: Cache, message_id: uuid.UUID, kind: str, payload: str
) -> None:
    body: dict[str, Any] = json.loads(payload)
    if kind == messages.JOB:
        await messaging.send(
            aws,
            queue=body["queue"],
            message_type=body["type"],
            body={**body["body"], ID_FIELD: str(message_id)},
        )
    elif kind == messages.EVENT:
        await messaging.publish(
            aws,
            topic=body["topic"],
            message_type=body["type"],
            body={**body["body"], ID_FIELD: str(message_id)},
        )
    elif kind == messages.INVALIDATE:
        await cache.apply_invalidation(entries=body["entries"], namespaces=body["namespaces"])
    elif kind == messages.PUT_ABSENT:
        await _put_absent(aws, table=body["table"], key=body["key"], item=body["item"])
    elif kind == messages.DELETE_PREFIX:
        await s3.delete_prefix(aws, prefix=body["prefix"])
    else:
        raise UnknownKind(kind)


async def _put_absent(aws: AwsClients, *, table: str, key: str, item: dict[str, Any]) -> None:
    try:
        await dynamo.put_item(aws, table=table, item=item, new_key=key)
    except AwsError as exc:
        if not exc.condition_failed:
            raise
        # Already there: an earlier delivery of this same row wrote it.
