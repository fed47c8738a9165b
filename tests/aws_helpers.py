"""Reading what the app sent to the emulator's queues, and making AWS clients for tests."""

from __future__ import annotations

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
