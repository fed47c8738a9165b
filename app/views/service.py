"""Post view counts: one DynamoDB item per post, one view per viewer per window.

A viewer is the signed-in user, or else the client address with its User-Agent. Their first
view of a post in VIEWS_DEDUPE_WINDOW_SECONDS takes a Redis marker (SET NX with the window as
its TTL) and adds one; the others, and every view while Redis is unavailable, add nothing and
answer the current count (docs/cache.md, "View counts"). A counted view is added in Redis and
written to DynamoDB in batches, one write per post at a time (buffer.py), so a post read
thousands of times a second still takes a few hundred writes a second at most.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Callable, Sequence

import msgspec
from redis.asyncio import Redis

from app import errors
from app.platform import checkpoints
from app.platform.aws import dynamo
from app.platform.aws.calls import AwsError
from app.platform.aws.clients import AwsClients
from app.platform.cache.store import Store, StoreUnavailable
from app.settings import Settings
from app.views import buffer

KEY, COUNT = buffer.KEY, buffer.COUNT
Clock = Callable[[], float]
SEEN_PREFIX = "blog:vw1"
# Where concurrent counted views of one post have their markers and none has added yet.
ADDING = "views.adding"
logger = logging.getLogger(__name__)


class Viewer(msgspec.Struct, frozen=True):
    """Who viewed: a signed-in user is one viewer wherever they read from."""

    user_id: uuid.UUID | None
    address: str
    user_agent: str

    def identity(self) -> str:
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"anonymous:{self.address}\n{self.user_agent}"


def seen_key(*, settings: Settings, post_id: uuid.UUID, viewer: Viewer) -> str:
    """The marker of the viewer's counted view; keyed with the pepper, so Redis holds no
    address, and no list of addresses could be hashed to find one."""
    secret = hashlib.sha256(b"views:" + settings.token_pepper.get_secret_value().encode())
    digest = hmac.new(secret.digest(), viewer.identity().encode(), hashlib.sha256).hexdigest()
    return f"{SEEN_PREFIX}:{post_id}:{digest[:32]}"


async def view(
    *,
    clients: AwsClients,
    store: Store,
    settings: Settings,
    post_id: uuid.UUID,
    viewer: Viewer,
    checkpoint: checkpoints.Checkpoint | None = None,
    clock: Clock = time.time,
) -> int:
    """Count the viewer's view once per window; the post's count after it, counted or not.

    While Redis is unavailable nothing is counted: the per-address limit is open then too, so
    counting would let one caller add a view per call again.
    """
    key = seen_key(settings=settings, post_id=post_id, viewer=viewer)
    window_ms = settings.views_dedupe_window_seconds * 1000
    if await store.add(key, b"1", milliseconds=window_ms) is not True:
        return await current(clients=clients, store=store, post_id=post_id)
    await checkpoints.reach(checkpoint, ADDING)
    try:
        return await record(clients=clients, store=store, post_id=post_id, clock=clock)
    except Exception:
        # Not counted after all: the viewer's retry must count.
        async def forget(redis: Redis) -> int:
            return int(await redis.delete(key))

        await store.run(forget, 0)
        raise


async def record(
    *, clients: AwsClients, store: Store, post_id: uuid.UUID, clock: Clock = time.time
) -> int:
    """Add one view; the count after it, consecutive under concurrency. 503 when the view could
    not be counted: Redis unavailable, or the post never counted and DynamoDB unavailable."""
    try:
        if await buffer.totals(store=store, post_id=post_id) is None:
            item = await dynamo.get_item(
                clients, table=clients.settings.views_table, key={KEY: str(post_id)}
            )
            await buffer.seed(store=store, post_id=post_id, item=item)
        added = await buffer.add(store=store, post_id=post_id, now=clock())
        if added.may_flush:
            await buffer.flush(store=store, clients=clients, post_id=post_id, now=clock())
    except StoreUnavailable as exc:
        raise errors.ServiceUnavailable(headers={"Retry-After": "1"}) from exc
    if added.total is not None:
        return added.total
    # The hash expired between the seed and the add (a week idle): the count as stored.
    return await current(clients=clients, store=store, post_id=post_id)


async def current(*, clients: AwsClients, store: Store, post_id: uuid.UUID) -> int:
    """The post's count now: Redis' when it has the post's hash (every view so far); else read
    strongly from DynamoDB and seeded into a hash for the reads after it, as a first view seeds
    it (only what is missing, so never over a view or a flush that got there first), and the
    hash's count then; the stored count while Redis is unavailable. 503 when DynamoDB is needed
    and unavailable."""
    try:
        total = await buffer.totals(store=store, post_id=post_id)
    except StoreUnavailable:
        total, seeding = None, False
    else:
        seeding = True
    if total is not None:
        return total
    item = await dynamo.get_item(
        clients, table=clients.settings.views_table, key={KEY: str(post_id)}
    )
    if seeding:
        with contextlib.suppress(StoreUnavailable):
            return await buffer.seed(store=store, post_id=post_id, item=item)
    return int(item.get(COUNT, 0)) if item else 0


async def shown(*, clients: AwsClients, store: Store, post_id: uuid.UUID) -> int | None:
    """The count a read of the post shows: current()'s, or None when it cannot be read (a count
    is decoration, and must not take the read down).

    One HMGET per read instead of a GetItem while Redis has the post: the SDK's call is most of
    an uncached post read's CPU, and a read unit each.
    """
    try:
        return await current(clients=clients, store=store, post_id=post_id)
    except (errors.ServiceUnavailable, AwsError) as exc:
        logger.warning("view counts unavailable", extra={"error": str(exc)})
        return None


async def count(*, clients: AwsClients, post_id: uuid.UUID) -> int | None:
    """One post's stored count, as counts() reads it; one GetItem, which costs the SDK less
    than a BatchGetItem of one key."""
    try:
        item = await dynamo.get_item(
            clients, table=clients.settings.views_table, key={KEY: str(post_id)}, consistent=False
        )
    except (errors.ServiceUnavailable, AwsError) as exc:
        logger.warning("view counts unavailable", extra={"error": str(exc)})
        return None
    return int(item.get(COUNT, 0)) if item else 0


async def counts(
    *, clients: AwsClients, post_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int | None]:
    """Counts for a page of posts in one batch read; None for all when the store is unavailable.

    A view count is decoration: an outage of the counter store must not take post reads down.
    These are the stored counts, which trail a hot post by the batch being written.
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
