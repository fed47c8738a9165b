"""A post's views on their way to DynamoDB: counted in Redis at once, written by one flusher.

Per post, a Redis hash holds `base` (the stored count as last seen), `pending` (views not yet
taken), the taken batch (`batch`, its id, and `inflight`, its size) and `prev` (the id of the
last batch written, the chain's head). A lease key elects one flusher per post at a time. It
writes a batch with one `ADD` that is conditional on the item's `flushedBy` still being `prev`,
so a resent copy of an applied write fails its condition instead of adding again, and a batch
that failed stays taken and is sent again with the same id. While one flush is on the wire,
every other view only adds to `pending`: the writes to one post are one at a time, however
many views arrive (docs/aws.md, "View counters").

While the hash holds views not yet written it has no TTL, so a `volatile-*` eviction policy
never takes it, and the post is in the dirty set: a flush that failed, or a process that died
holding the lease, leaves its views to the worker's sweep (tasks.py) rather than to the post's
next view. A clean hash is only a copy of the stored count and expires after a week.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from redis.asyncio import Redis
from redis.exceptions import WatchError

from app import errors
from app.platform.aws import dynamo
from app.platform.aws.calls import AwsError
from app.platform.aws.clients import AwsClients
from app.platform.cache.store import Store

KEY, COUNT, MARKER = "postId", "viewCount", "flushedBy"
PREFIX, LEASE_PREFIX, DIRTY = "blog:vc1", "blog:vl1", "blog:vd1"
# Longer than a write can take with its retries (3 attempts of 2 s connect + 5 s read).
LEASE_MS = 60_000
# After a throttled or failed write, the post's views only accumulate for this long.
RETRY_SECONDS = 0.05
# A clean hash is kept this long after its last write, then read again from DynamoDB.
KEEP_SECONDS = 7 * 86400
# A dirty post is the request's to write; the sweep takes it only once it waited this long.
SWEEP_GRACE_SECONDS = 5.0
# A chain whose head moved under us (Redis lost the hash) is followed this many times.
ANCHOR_ROUNDS = 3
NO_MARKER = ""


def state_key(post_id: uuid.UUID) -> str:
    return f"{PREFIX}:{post_id}"


def lease_key(post_id: uuid.UUID) -> str:
    return f"{LEASE_PREFIX}:{post_id}"


class Added(msgspec.Struct, frozen=True):
    total: int | None
    may_flush: bool


class Batch(msgspec.Struct, frozen=True):
    id: str
    amount: int
    # The head the write must find; None when unknown (read it from the item).
    after: str | None
    after_known: bool


def _int(raw: Any) -> int:
    return int(raw) if raw is not None else 0


async def _call(store: Store, command: Callable[[Redis], Awaitable[Any]]) -> Any:
    return await store.call(command)


async def totals(*, store: Store, post_id: uuid.UUID) -> int | None:
    """The count with every view counted so far; None when Redis has no base for the post."""
    raw = await _call(store, lambda r: r.hmget(state_key(post_id), ["base", "inflight", "pending"]))
    base, inflight, pending = raw
    return None if base is None else _int(base) + _int(inflight) + _int(pending)


async def seed(*, store: Store, post_id: uuid.UUID, item: dynamo.Item | None) -> int:
    """Start the post's hash from its stored item, unless a flush or a view got there first;
    the count with every view so far, after it."""
    count = int(item.get(COUNT, 0)) if item else 0
    marker = str(item.get(MARKER, NO_MARKER)) if item else NO_MARKER

    async def command(redis: Redis) -> list[Any]:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(state_key(post_id), "base", count)
            pipe.hsetnx(state_key(post_id), "prev", marker)
            pipe.expire(state_key(post_id), KEEP_SECONDS)
            pipe.hmget(state_key(post_id), ["base", "inflight", "pending"])
            return list(await pipe.execute())

    *_, (base, inflight, pending) = await _call(store, command)
    return _int(base) + _int(inflight) + _int(pending)


async def add(*, store: Store, post_id: uuid.UUID, now: float) -> Added:
    """Count one view; atomically, so concurrent views get consecutive totals."""

    async def command(redis: Redis) -> list[Any]:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(state_key(post_id), "pending", 1)
            pipe.hmget(state_key(post_id), ["base", "inflight", "retryAt"])
            pipe.exists(lease_key(post_id))
            pipe.persist(state_key(post_id))
            pipe.zadd(DIRTY, {str(post_id): now + SWEEP_GRACE_SECONDS}, nx=True)
            return list(await pipe.execute())

    pending, (base, inflight, retry_at), leased, _, _ = await _call(store, command)
    total = None if base is None else _int(base) + _int(inflight) + int(pending)
    waiting = retry_at is not None and now < float(retry_at)
    return Added(total=total, may_flush=not leased and not waiting)


async def flush(*, store: Store, clients: AwsClients, post_id: uuid.UUID, now: float) -> None:
    """Write the post's pending views if no one else is; never raises for AWS failures."""
    token = uuid.uuid4().hex
    while await _call(store, lambda r: r.set(lease_key(post_id), token, nx=True, px=LEASE_MS)):
        try:
            written = await _drain(store=store, clients=clients, post_id=post_id, now=now)
        finally:
            await release(store=store, post_id=post_id, token=token)
        if not written:
            return
        # A view that came while we held the lease left its write to us.
        if await _settle(store=store, post_id=post_id):
            return


async def release(*, store: Store, post_id: uuid.UUID, token: str) -> None:
    """Delete the lease if it is still ours: compare and delete in one optimistic transaction."""

    async def command(redis: Redis) -> None:
        async with redis.pipeline(transaction=True) as pipe:
            await pipe.watch(lease_key(post_id))
            if await pipe.get(lease_key(post_id)) not in (token, token.encode()):
                return
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.delete(lease_key(post_id))
            with contextlib.suppress(WatchError):  # expired and taken by another: theirs now
                await pipe.execute()

    await _call(store, command)


async def _settle(*, store: Store, post_id: uuid.UUID) -> bool:
    """Mark the post clean when nothing waits: out of the dirty set, its hash expiring again.
    False when views are pending, or one came meanwhile (its own request writes it then)."""

    async def command(redis: Redis) -> bool:
        async with redis.pipeline(transaction=True) as pipe:
            await pipe.watch(state_key(post_id))
            pending, batch_id = await pipe.hmget(state_key(post_id), ["pending", "batch"])
            if _int(pending) > 0 or batch_id is not None:
                return False
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.zrem(DIRTY, str(post_id))
            pipe.expire(state_key(post_id), KEEP_SECONDS)
            try:
                await pipe.execute()
            except WatchError:
                return False
            return True

    settled: bool = await _call(store, command)
    if settled:
        return True
    pending = await _call(store, lambda r: r.hget(state_key(post_id), "pending"))
    return _int(pending) <= 0


async def dirty(*, store: Store, now: float, limit: int) -> list[uuid.UUID]:
    """Posts whose views have waited past the grace: a failed write or a lost flusher's."""
    members = await _call(store, lambda r: r.zrangebyscore(DIRTY, "-inf", now, start=0, num=limit))
    return [uuid.UUID(_text(member)) for member in members]


async def _drain(*, store: Store, clients: AwsClients, post_id: uuid.UUID, now: float) -> bool:
    """Write batches until nothing is pending; False when a write failed (then back off)."""
    while (batch := await _take(store=store, post_id=post_id)) is not None:
        try:
            stored = await _write(clients=clients, post_id=post_id, batch=batch, store=store)
        except (errors.ServiceUnavailable, AwsError):
            stored = None
        if stored is None:
            await _call(store, lambda r: r.hset(state_key(post_id), "retryAt", now + RETRY_SECONDS))
            return False
        await _confirm(store=store, post_id=post_id, batch=batch, stored=stored)
    return True


async def _take(*, store: Store, post_id: uuid.UUID) -> Batch | None:
    """The batch to write: the one a failed write left, else all pending views; None if none."""
    fields = ["pending", "inflight", "batch", "prev"]
    pending, inflight, batch_id, prev = await _call(
        store, lambda r: r.hmget(state_key(post_id), fields)
    )
    after = None if prev is None else _text(prev) or None
    if batch_id is not None:
        return Batch(_text(batch_id), _int(inflight), after, prev is not None)
    amount = _int(pending)
    if amount <= 0:
        return None
    new_id = uuid.uuid4().hex

    async def command(redis: Redis) -> None:
        async with redis.pipeline(transaction=True) as pipe:
            # Less exactly what was read: views counted meanwhile stay pending.
            pipe.hincrby(state_key(post_id), "pending", -amount)
            pipe.hset(state_key(post_id), mapping={"inflight": amount, "batch": new_id})
            await pipe.execute()

    await _call(store, command)
    return Batch(new_id, amount, after, prev is not None)


async def _write(
    *, clients: AwsClients, post_id: uuid.UUID, batch: Batch, store: Store
) -> int | None:
    """Add the batch once; the stored count after it, or None when the chain cannot be found."""
    table, key = clients.settings.views_table, {KEY: str(post_id)}
    after, known = batch.after, batch.after_known
    for _ in range(ANCHOR_ROUNDS):
        if not known:
            item = await dynamo.get_item(clients, table=table, key=key)
            after = str(item[MARKER]) if item and MARKER in item else None
        stored = await dynamo.add_once(
            clients,
            table=table,
            key=key,
            attribute=COUNT,
            amount=batch.amount,
            marker=MARKER,
            batch=batch.id,
            after=after,
        )
        if stored is not None:
            return stored
        # The head moved: either this very batch was applied (its answer was lost and the
        # resent copy failed the condition), or Redis lost the chain and it must be re-read.
        item = await dynamo.get_item(clients, table=table, key=key) or {}
        if item.get(MARKER) == batch.id:
            return int(item.get(COUNT, 0))
        known = False
        await _set_head(store=store, post_id=post_id, head=str(item.get(MARKER, NO_MARKER)))
    return None


async def _set_head(*, store: Store, post_id: uuid.UUID, head: str) -> None:
    await _call(store, lambda r: r.hset(state_key(post_id), "prev", head))


async def _confirm(*, store: Store, post_id: uuid.UUID, batch: Batch, stored: int) -> None:
    async def command(redis: Redis) -> None:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.hset(state_key(post_id), mapping={"base": stored, "prev": batch.id})
            pipe.hdel(state_key(post_id), "inflight", "batch", "retryAt")
            await pipe.execute()

    await _call(store, command)


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw
