from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from app.jobs import repository as jobs
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.settings import Settings, get_settings
from app.worker import runner as worker
from tests.fixtures.actors import Actor
from tests.handlers.test_attachments import completed_upload, make_post
from tests.helpers import data


async def test_lambda_handler_reports_only_the_failed_records(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TOKEN_PEPPER", settings.token_pepper.get_secret_value())
    monkeypatch.setenv("AWS_ENDPOINT_URL", str(settings.aws_endpoint_url))
    get_settings.cache_clear()
    unknown = {"jobId": str(uuid.uuid4()), "attachmentId": str(uuid.uuid4())}
    event = {
        "Records": [
            {"messageId": "unknown-job", "body": json.dumps(unknown)},
            {"messageId": "garbled", "body": "{not json"},
            {"messageId": "unknown-type", "body": json.dumps({"type": "no.such.job"})},
        ]
    }
    try:
        answer = await asyncio.to_thread(worker.lambda_handler, event, None)
    finally:
        get_settings.cache_clear()
    assert answer == {
        "batchItemFailures": [{"itemIdentifier": "garbled"}, {"itemIdentifier": "unknown-type"}]
    }


async def test_a_redelivered_message_of_a_finished_job_changes_nothing(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)
    body = {"jobId": job_id, "attachmentId": attachment_id}
    database, clients = Database(settings), AwsClients(settings)
    try:
        await worker.run_job(database=database, clients=clients, body=body)
        first = await jobs.get(clients, job_id=uuid.UUID(job_id))
        await worker.run_job(database=database, clients=clients, body=body)
        second = await jobs.get(clients, job_id=uuid.UUID(job_id))
    finally:
        clients.close()
        await database.dispose()
    assert first is not None
    assert first.status == "succeeded"
    assert second == first


async def test_a_deleted_file_fails_the_job(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)
    database, clients = Database(settings), AwsClients(settings)
    try:
        await asyncio.to_thread(
            clients.s3().delete_object,
            Bucket=settings.uploads_bucket,
            Key=f"posts/{post_id}/{attachment_id}",
        )
        await worker.run_job(
            database=database,
            clients=clients,
            body={"jobId": job_id, "attachmentId": attachment_id},
        )
    finally:
        clients.close()
        await database.dispose()
    job = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert (job["status"], job["error"]) == ("failed", "The uploaded file is gone.")
