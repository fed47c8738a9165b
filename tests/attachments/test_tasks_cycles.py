"""Uploads completed while the worker is polling, or while it is stopped: every one ends ready.

The job's message leaves through the outbox after completeAttachment commits, so a worker that
receives it at once always finds the committed row (none is failed as "no longer exists").
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from app.bootstrap import open_resources
from app.settings import Settings
from app.worker import poller
from tests.fixtures.actors import Actor
from tests.handlers.test_attachments import PNG, complete, make_post, start_upload, upload
from tests.helpers import data, eventually

CYCLES = 50
# A poll waits up to 1 s for a message and then sweeps; a worker that outlives this is a bug.
STOP_SECONDS = 30


@contextlib.asynccontextmanager
async def polling_worker(settings: Settings) -> AsyncIterator[None]:
    """The job worker long-polling the queue beside the test, as in production, until told to
    stop after its current poll.

    Not cancelled: the database layer can swallow a cancellation (SQLAlchemy's asyncpg adapter
    catches CancelledError while it terminates a connection), and a full run once hung here,
    the worker polling on after its cancel while the test waited for it."""
    stopping = asyncio.Event()

    async def until_stopped() -> None:
        async with open_resources(settings) as resources:
            while not stopping.is_set():
                await poller.poll(resources=resources, batches=1, wait_seconds=1)

    task = asyncio.create_task(until_stopped())
    try:
        yield
    finally:
        stopping.set()
        async with asyncio.timeout(STOP_SECONDS):
            await task


async def completed(client: httpx.AsyncClient, author: Actor, post_id: str) -> tuple[str, str]:
    started = await start_upload(client, author, post_id)
    await upload(started, PNG)
    attachment_id: str = started["attachment"]["id"]
    accepted = data(await complete(client, author, post_id, attachment_id), 202)
    return attachment_id, accepted["jobId"]


async def jobs_of(client: httpx.AsyncClient, author: Actor, ids: list[str]) -> list[str]:
    found = [await client.get(f"/v1/jobs/{job_id}", headers=author.headers) for job_id in ids]
    return [str(data(response)["status"]) for response in found]


async def statuses(client: httpx.AsyncClient, author: Actor, post_id: str) -> dict[str, str]:
    listed = data(await client.get(f"/v1/posts/{post_id}/attachments", headers=author.headers))
    return {a["id"]: a["status"] for a in listed}


async def test_fifty_uploads_completed_beside_a_polling_worker_all_end_ready(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    async with polling_worker(settings):
        made = [await completed(client, author, post_id) for _ in range(CYCLES)]
        ids = {attachment_id for attachment_id, _ in made}

        final = await eventually(
            lambda: statuses(client, author, post_id),
            until=lambda found: all(found.get(i) in {"ready", "rejected"} for i in ids),
            within=120,
            interval=0.5,
        )
        stuck = [i for i in ids if final[i] != "ready"]
        assert stuck == []
        # Each job's record is finished just after its attachment settles.
        await eventually(
            lambda: jobs_of(client, author, [job_id for _, job_id in made]),
            until=lambda found: all(s == "succeeded" for s in found),
            within=30,
        )
    for _, job_id in made:
        job = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
        assert (job["status"], job["error"]) == ("succeeded", None)


async def test_with_the_worker_stopped_complete_is_accepted_and_the_job_runs_when_it_starts(
    client: httpx.AsyncClient, author: Actor, settings: Settings
) -> None:
    post_id = await make_post(client, author)
    attachment_id, job_id = await completed(client, author, post_id)
    queued = data(await client.get(f"/v1/jobs/{job_id}", headers=author.headers))
    assert queued["status"] == "queued"
    assert (await statuses(client, author, post_id))[attachment_id] == "processing"

    async def job() -> dict[str, object]:
        found: dict[str, object] = data(
            await client.get(f"/v1/jobs/{job_id}", headers=author.headers)
        )
        return found

    async with polling_worker(settings):
        await eventually(job, until=lambda found: found["status"] == "succeeded", within=60)

    assert (await statuses(client, author, post_id))[attachment_id] == "ready"
