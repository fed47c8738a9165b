"""Post view counts: an atomic DynamoDB counter per post."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from app import errors
from app.platform.aws import dynamo
from app.platform.aws.calls import AwsError
from app.platform.aws.clients import AwsClients

KEY, COUNT = "postId", "viewCount"
logger = logging.getLogger(__name__)


async def record(*, clients: AwsClients, post_id: uuid.UUID) -> int:
    """Add one view; exact under concurrency because DynamoDB applies ADD atomically."""
    return await dynamo.add_to_counter(
        clients,
        table=clients.settings.views_table,
        key={KEY: str(post_id)},
        attribute=COUNT,
        amount=1,
    )


async def count(*, clients: AwsClients, post_id: uuid.UUID) -> int | None:
    return (await counts(clients=clients, post_ids=[post_id]))[post_id]


async def counts(
    *, clients: AwsClients, post_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int | None]:
    """Counts for a page of posts in one batch read; None for all when the store is unavailable.

    A view count is decoration: an outage of the counter store must not take post reads down.
    """
    if not post_ids:
        return {}
    try:
        items = await dynamo.batch_get(
            clients,
            table=clients.settings.views_table,
            key_name=KEY,
            keys=[str(p) for p in post_ids],
        )
    except (errors.ServiceUnavailable, AwsError) as exc:
        logger.warning("view counts unavailable", extra={"error": str(exc)})
        return dict.fromkeys(post_ids)
    found = {uuid.UUID(item[KEY]): int(item.get(COUNT, 0)) for item in items}
    return {post_id: found.get(post_id, 0) for post_id in post_ids}
