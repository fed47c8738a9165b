"""What a write may ask of the world once it commits, as plain data.

Imported before routing (the caches' invalidation rules build these), so nothing here loads
the database layer or an AWS client.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

JOB, EVENT, INVALIDATE, PUT_ABSENT, DELETE_PREFIX = (
    "sqs.send",
    "sns.publish",
    "cache.invalidate",
    "dynamodb.put_absent",
    "s3.delete_prefix",
)
KINDS = frozenset({JOB, EVENT, INVALIDATE, PUT_ABSENT, DELETE_PREFIX})


class Message(msgspec.Struct, frozen=True):
    kind: str
    payload: Mapping[str, Any]

    def encode(self) -> str:
        return json.dumps(self.payload, separators=(",", ":"), sort_keys=True)


def job(*, queue: str, message_type: str, body: Mapping[str, Any]) -> Message:
    """A message for a queue's consumers (the job worker, the mailer)."""
    return Message(JOB, {"queue": queue, "type": message_type, "body": dict(body)})


def event(*, topic: str, message_type: str, body: Mapping[str, Any]) -> Message:
    """A domain event for whoever subscribes to the topic."""
    return Message(EVENT, {"topic": topic, "type": message_type, "body": dict(body)})


def invalidate(*, entries: Iterable[str] = (), namespaces: Iterable[str] = ()) -> Message:
    """Tombstone cache entries and retire namespaces; delivered when Redis acknowledged it."""
    return Message(INVALIDATE, {"entries": sorted(set(entries)), "namespaces": sorted(namespaces)})


def put_absent(*, table: str, key: str, item: Mapping[str, Any]) -> Message:
    """A DynamoDB item written unless one with its key exists (a job's record, say)."""
    return Message(PUT_ABSENT, {"table": table, "key": key, "item": dict(item)})


def delete_prefix(*, prefix: str) -> Message:
    """Every object of the uploads bucket under prefix."""
    return Message(DELETE_PREFIX, {"prefix": prefix})
