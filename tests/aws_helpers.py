"""Reading what the app sent to the emulator's queues, and making AWS clients for tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from app.platform.aws.clients import AwsClients
from app.settings import Settings


def drain(clients: AwsClients, queue: str, *, rounds: int = 5) -> list[dict[str, Any]]:
    """Every message now in the queue (received and deleted), oldest rounds first."""
    sqs = clients.sqs()
    url = clients.queue_url(queue)
    bodies: list[dict[str, Any]] = []
    for _ in range(rounds):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = answer.get("Messages", [])
        if not messages:
            break
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def mail_for(settings: Settings, email: str) -> list[dict[str, Any]]:
    clients = AwsClients(settings)
    try:
        return [m for m in drain(clients, settings.mail_queue) if m.get("email") == email]
    finally:
        clients.close()


async def scan(settings: Settings, table: str) -> list[dict[str, object]]:
    """Every item of a DynamoDB table, as the emulator holds it now."""
    clients = AwsClients(settings)
    try:
        answer = await asyncio.to_thread(clients.dynamodb().scan, TableName=table)
    finally:
        clients.close()
    return [dict(item) for item in answer["Items"]]


async def put_object(
    clients: AwsClients, *, key: str, body: bytes, content_type: str = "image/png"
) -> None:
    """An object in the uploads bucket, as a client's upload with the presigned form leaves it."""
    await asyncio.to_thread(
        clients.s3().put_object,
        Bucket=clients.settings.uploads_bucket,
        Key=key,
        Body=body,
        ContentType=content_type,
    )
