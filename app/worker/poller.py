"""The job worker from a shell: `python -m app.worker.poller` receives from the jobs queue."""

from __future__ import annotations

import argparse
import asyncio
import logging

from app.bootstrap import open_resources
from app.platform.aws.calls import call
from app.platform.resources import Resources
from app.settings import get_settings
from app.worker import registry


async def poll(*, resources: Resources, batches: int, wait_seconds: int) -> int:
    """Receive and run up to `batches` batches of jobs; the number of jobs run.

    A failed message is left in the queue, to come back after its visibility timeout.
    """
    aws = resources.aws
    url = await call(aws.queue_url, aws.settings.jobs_queue)
    done = 0
    for _ in range(batches):
        answer = await call(
            aws.sqs().receive_message,
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
        )
        messages = answer.get("Messages", [])
        records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in messages]
        failed = set(await registry.handle_records(resources=resources, records=records))
        for message in messages:
            if message["MessageId"] not in failed:
                await call(
                    aws.sqs().delete_message, QueueUrl=url, ReceiptHandle=message["ReceiptHandle"]
                )
                done += 1
    return done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Poll the jobs queue and run the jobs.")
    parser.add_argument("--batches", type=int, default=1_000_000, help="stop after this many")
    parser.add_argument("--wait-seconds", type=int, default=10)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)

    async def run() -> None:
        async with open_resources(get_settings()) as resources:
            await poll(resources=resources, batches=args.batches, wait_seconds=args.wait_seconds)

    asyncio.run(run())


if __name__ == "__main__":
    main()
