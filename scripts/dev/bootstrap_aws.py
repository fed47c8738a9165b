"""Create the tables, bucket, queues and topic that the settings name, on an emulator.

Idempotent. Real AWS is provisioned by infrastructure code from docs/aws.md, not by this script.
"""

from __future__ import annotations

import json

from app.platform.aws.clients import AwsClients
from app.settings import Settings, get_settings

# (table setting, partition key, TTL attribute or None)
TABLES = (
    ("views_table", "postId", None),
    ("jobs_table", "jobId", "expiresAt"),
    ("resets_table", "tokenHash", "expiresAt"),
    ("idempotency_table", "scopedKey", "expiresAt"),
)


def _create_table(clients: AwsClients, name: str, key: str, ttl: str | None) -> None:
    dynamodb = clients.dynamodb()
    if name in dynamodb.list_tables()["TableNames"]:
        return
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.get_waiter("table_exists").wait(TableName=name)
    if ttl is not None:
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl}
        )


def bootstrap(settings: Settings) -> None:
    clients = AwsClients(settings)
    try:
        for setting, key, ttl in TABLES:
            _create_table(clients, getattr(settings, setting), key, ttl)
        s3 = clients.s3()
        buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if settings.uploads_bucket not in buckets:
            s3.create_bucket(Bucket=settings.uploads_bucket)
        sqs = clients.sqs()
        dead = sqs.create_queue(QueueName=f"{settings.jobs_queue}-dead")["QueueUrl"]
        dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])
        redrive = {"deadLetterTargetArn": dead_arn["Attributes"]["QueueArn"], "maxReceiveCount": 5}
        sqs.create_queue(
            QueueName=settings.jobs_queue,
            Attributes={"VisibilityTimeout": "60", "RedrivePolicy": json.dumps(redrive)},
        )
        sqs.create_queue(QueueName=settings.mail_queue)
        clients.sns().create_topic(Name=settings.events_topic)
    finally:
        clients.close()


if __name__ == "__main__":
    bootstrap(get_settings())
    print("AWS resources ready")
