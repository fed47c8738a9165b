"""The job worker on Lambda: the handler of an SQS trigger with ReportBatchItemFailures on."""

from __future__ import annotations

import asyncio
from typing import Any

from app.bootstrap import open_resources
from app.settings import get_settings
from app.worker import registry


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Run the batch's jobs; the failed messages are reported so only they come back."""

    async def run() -> list[str]:
        async with open_resources(get_settings()) as resources:
            return await registry.handle_records(
                resources=resources, records=event.get("Records", [])
            )

    failed = asyncio.run(run())
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
