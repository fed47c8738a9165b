"""The one boto3 client factory: lazily made, reused, closed by the lifespan.

boto3 is imported on first use, not at import time, so a Lambda cold start that never touches
AWS does not pay for it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from app.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient


class AwsClients:
    """One client per service, made on first use with the retry and timeout policy."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._clients: dict[str, Any] = {}
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()

    def _client(self, service: str) -> Any:
        client = self._clients.get(service)
        if client is not None:
            return client
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._make(service)
            return self._clients[service]

    def _make(self, service: str) -> Any:
        import boto3.session
        from botocore.config import Config

        settings = self.settings
        config = Config(
            region_name=settings.aws_region,
            retries={"mode": "standard", "max_attempts": settings.aws_max_attempts},
            connect_timeout=settings.aws_connect_timeout_seconds,
            read_timeout=settings.aws_read_timeout_seconds,
            max_pool_connections=settings.aws_max_pool_connections,
            signature_version="s3v4" if service == "s3" else None,
        )
        # A session per factory: the default session is shared and not safe across threads.
        session = boto3.session.Session(region_name=settings.aws_region)
        return session.client(
            service,  # type: ignore[call-overload]
            config=config,
            endpoint_url=settings.aws_service_endpoints.get(service, settings.aws_endpoint_url),
        )

    def s3(self) -> S3Client:
        client: S3Client = self._client("s3")
        return client

    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self._client("dynamodb")
        return client

    def sqs(self) -> SQSClient:
        client: SQSClient = self._client("sqs")
        return client

    def sns(self) -> SNSClient:
        client: SNSClient = self._client("sns")
        return client

    def secretsmanager(self) -> SecretsManagerClient:
        client: SecretsManagerClient = self._client("secretsmanager")
        return client

    def ssm(self) -> SSMClient:
        client: SSMClient = self._client("ssm")
        return client

    def queue_url(self, name: str) -> str:
        """The URL of a queue by name, looked up once (blocking: call it in a worker thread)."""
        if name not in self._names:
            self._names[name] = self.sqs().get_queue_url(QueueName=name)["QueueUrl"]
        return self._names[name]

    def topic_arn(self, name: str) -> str:
        """The ARN of a topic by name; the account comes from STS, which needs no permission."""
        key = f"topic:{name}"
        if key not in self._names:
            identity = self._client("sts").get_caller_identity()
            account, partition = identity["Account"], identity["Arn"].split(":")[1]
            self._names[key] = f"arn:{partition}:sns:{self.settings.aws_region}:{account}:{name}"
        return self._names[key]

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
