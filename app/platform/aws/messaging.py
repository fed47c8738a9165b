"""SQS and SNS helpers: JSON messages with a `type` attribute for filtering."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from app.platform.aws.calls import call
from app.platform.aws.clients import AwsClients


def _attributes(message_type: str) -> Any:
    return {"type": {"DataType": "String", "StringValue": message_type}}


async def send(
    clients: AwsClients, *, queue: str, message_type: str, body: Mapping[str, Any]
) -> str:
    """Send one message to the named queue; its message id."""

    def send_sync() -> str:
        answer = clients.sqs().send_message(
            QueueUrl=clients.queue_url(queue),
            MessageBody=json.dumps({"type": message_type, **body}),
            MessageAttributes=_attributes(message_type),
        )
        return answer["MessageId"]

    return await call(send_sync)


async def publish(
    clients: AwsClients, *, topic: str, message_type: str, body: Mapping[str, Any]
) -> str:
    """Publish one event to the named topic; its message id."""

    def publish_sync() -> str:
        answer = clients.sns().publish(
            TopicArn=clients.topic_arn(topic),
            Message=json.dumps({"type": message_type, **body}),
            MessageAttributes=_attributes(message_type),
        )
        return answer["MessageId"]

    return await call(publish_sync)
