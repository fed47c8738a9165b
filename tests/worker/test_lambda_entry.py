from __future__ import annotations

import asyncio
import json
import uuid
from datetime import timedelta

import httpx
import pytest

from app.attachments.service import PENDING_GRACE
from app.jobs import repository as jobs
from app.platform.aws.clients import AwsClients
from app.platform.cache.store import Store
from app.platform.db.database import Database
from app.settings import Settings
from app.views import service as views_service
from app.worker.lambda_entry import lambda_handler
from tests.fixtures.actors import Actor
from tests.handlers.test_attachments import (
    complete,
    completed_upload,
    expire_form,
    make_post,
    start_upload,
)
from tests.helpers import assert_error
from tests.views.test_tasks import stranded_view

pytestmark = pytest.mark.usefixtures("settings_from_env")


async def test_lambda_handler_reports_only_the_failed_records() -> None:
    unknown = {"jobId": str(uuid.uuid4()), "attachmentId": str(uuid.uuid4())}
    event = {
        "Records": [
            {"messageId": "unknown-job", "body": json.dumps(unknown)},
            {"messageId": "garbled", "body": "{not json"},
            {"messageId": "unknown-type", "body": json.dumps({"type": "no.such.job"})},
        ]
    }
    answer = await asyncio.to_thread(lambda_handler, event, None)
    assert answer == {
        "batchItemFailures": [
            {"itemIdentifier": "unknown-job"},
            {"itemIdentifier": "garbled"},
            {"itemIdentifier": "unknown-type"},
        ]
    }


async def test_an_empty_event_reports_nothing() -> None:
    assert await asyncio.to_thread(lambda_handler, {}, None) == {"batchItemFailures": []}


async def test_a_good_record_runs_and_only_the_failing_one_is_reported(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed_upload(client, author, post_id)
    good = {"type": jobs.PROCESS_ATTACHMENT, "jobId": job_id, "attachmentId": attachment_id}
    event = {
        "Records": [
            {"messageId": "failing", "body": json.dumps({"type": "password_reset.issue"})},
            {"messageId": "good", "body": json.dumps(good)},
        ]
    }

    answer = await asyncio.to_thread(lambda_handler, event, None)

    assert answer == {"batchItemFailures": [{"itemIdentifier": "failing"}]}
    clients = AwsClients(settings)
    try:
        job = await jobs.get(clients, job_id=uuid.UUID(job_id))
    finally:
        clients.close()
    assert job is not None
    assert job.status == "succeeded"


async def test_the_schedule_sweeps_the_outbox_and_expires_pending_uploads(
    client: httpx.AsyncClient, author: Actor, database: Database
) -> None:
    post_id = await make_post(client, author)
    started = await start_upload(client, author, post_id)
    attachment_id = started["attachment"]["id"]
    await expire_form(database, attachment_id, ago=PENDING_GRACE + timedelta(seconds=1))
    event = {"detail-type": "Scheduled Event", "source": "aws.events"}

    answer = await asyncio.to_thread(lambda_handler, event, None)

    assert answer["expired"] == 1
    assert {"delivered", "failed", "dead", "leftovers"} <= answer.keys()
    assert (answer["published"], answer["unscheduled"], answer["purged"]) == (0, 0, 0)
    assert_error(await complete(client, author, post_id, attachment_id), 404, "NOT_FOUND")


async def test_the_schedule_writes_the_views_a_request_left_behind(
    clients: AwsClients, store: Store
) -> None:
    post_id = uuid.uuid4()
    await stranded_view(store, post_id)
    event = {"detail-type": "Scheduled Event", "source": "aws.events"}

    answer = await asyncio.to_thread(lambda_handler, event, None)

    assert answer["viewPostsSwept"] == 1
    assert await views_service.count(clients=clients, post_id=post_id) == 1
