"""The worker's part in view counting: write the views a request left behind.

A view is written by its own request when no one else is writing the post; the sweep covers the
rest: a write that failed (DynamoDB throttled or down) and the lease of a process that died
mid-write, once it expired. Run by the worker on every outbox sweep (app/worker).
"""

from __future__ import annotations

import logging
import time

import msgspec

from app.platform.aws.clients import AwsClients
from app.platform.cache.store import Store, StoreUnavailable
from app.views import buffer

# Posts written per sweep; the rest wait for the next one.
SWEEP_BATCH = 500
logger = logging.getLogger(__name__)


class Swept(msgspec.Struct, frozen=True):
    posts: int
    left: int


async def flush_stranded(
    *, store: Store, clients: AwsClients, now: float | None = None, limit: int = SWEEP_BATCH
) -> Swept:
    """Flush each post whose views waited past the grace; how many were tried, and how many
    still wait (their write failed again, or a live request holds their lease)."""
    moment = time.time() if now is None else now
    try:
        posts = await buffer.dirty(store=store, now=moment, limit=limit)
        for post_id in posts:
            await buffer.flush(store=store, clients=clients, post_id=post_id, now=moment)
        left = len(await buffer.dirty(store=store, now=moment, limit=limit))
    except StoreUnavailable:
        logger.warning("view sweep skipped: redis unavailable")
        return Swept(posts=0, left=0)
    return Swept(posts=len(posts), left=left)
