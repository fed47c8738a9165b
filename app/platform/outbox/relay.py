"""Moves outbox rows out: the request's own rows right after its commit, the rest by sweeps.

The fast path delivers a committed unit's rows before the response goes out, so the
reader of an upload job finds the committed row and a cache is clean for the writer's next
read. A row whose delivery fails stays; this process retries it a few times shortly after
(a Redis stall usually ends within a second), and the sweeper, which every worker runs on a
schedule, takes whatever is left once its lease is over. After `outbox_max_attempts` failures
a row goes dead until someone retries it (`make outbox-retry`).

Delivery is at least once: a crash between the send and the delete of a row sends it again,
with the same outbox id, which every consumer deduplicates on.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

import msgspec

from app.platform.aws.clients import AwsClients
from app.platform.cache.reads import Cache
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox.delivery import UnknownKind, deliver
from app.settings import Settings

if TYPE_CHECKING:
    # The relay is made at startup, before any request: the database layer loads on first use.
    from app.platform.db.models import OutboxMessage
    from app.platform.outbox.repository import OutboxRepository

T = TypeVar("T")
logger = logging.getLogger(__name__)

SWEEP_BATCH = 100
# A failed fast path is retried this often while most of its lease lasts; after a Redis stall
# the invalidation lands within REDIS_RETRY_AFTER_SECONDS (the breaker) plus this.
RETRY_INTERVAL_SECONDS = 0.25
RETRY_SHARE_OF_LEASE = 0.8


class Transactions(Protocol):
    """Database.transaction, or LazyDatabase's."""

    async def transaction(
        self, work: Callable[[UnitOfWork], Awaitable[T]], *, request_id: uuid.UUID | None = None
    ) -> T: ...


class Sweep(msgspec.Struct, frozen=True):
    delivered: int
    failed: int
    dead: int


def utcnow() -> datetime:
    return datetime.now(UTC)


def _rows(uow: UnitOfWork) -> OutboxRepository:
    from app.platform.outbox.repository import OutboxRepository

    return OutboxRepository(uow.session)


def backoff(attempts: int, *, cap: float) -> timedelta:
    """Exponential with full jitter: up to 2**attempts seconds, capped."""
    return timedelta(seconds=random.uniform(0, min(cap, 2.0**attempts)))  # noqa: S311


class Relay:
    def __init__(
        self, *, database: Transactions, aws: AwsClients, cache: Cache, settings: Settings
    ) -> None:
        self.database = database
        self.aws = aws
        self.cache = cache
        self.settings = settings
        self._retries: set[asyncio.Task[None]] = set()

    async def dispatch(self, rows: list[OutboxMessage]) -> None:
        """The fast path, after a commit: deliver the unit's rows in the order written.

        Never raises: the change has committed, and what did not leave is left for later. Rows
        do not wait for each other (a failed event must not hold back a cache invalidation), so
        a consumer that needs another row's effect first retries until it is there.
        """
        delivered: list[uuid.UUID] = []
        pending: list[OutboxMessage] = []
        for row in rows:
            if await self._try(row) is None:
                delivered.append(row.id)
            else:
                pending.append(row)
        if delivered:
            try:
                await self.database.transaction(lambda uow: _rows(uow).delivered(delivered))
            except Exception:
                # Rows stay and go again later: a duplicate, which consumers absorb.
                logger.exception("outbox rows delivered but not removed")
        if pending:
            self._retry_soon(pending)

    async def _try(self, row: OutboxMessage, *, quiet: bool = False) -> str | None:
        """Deliver one row; None when it left, else why it did not."""
        try:
            await deliver(
                aws=self.aws,
                cache=self.cache,
                message_id=row.id,
                kind=row.kind,
                payload=row.payload,
            )
        except Exception as exc:
            error = _describe(exc)
            (logger.debug if quiet else logger.warning)(
                "outbox delivery failed",
                extra={"outbox_id": str(row.id), "kind": row.kind, "error": error},
            )
            return error
        return None

    def _retry_soon(self, rows: list[OutboxMessage]) -> None:
        task = asyncio.get_running_loop().create_task(self._retry(rows))
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _retry(self, rows: list[OutboxMessage]) -> None:
        """Retry a failed fast path in this process while most of its lease lasts; the rows stay
        in the outbox throughout, so a process that dies here loses nothing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.outbox_lease_seconds * RETRY_SHARE_OF_LEASE
        while rows and loop.time() < deadline:
            await asyncio.sleep(RETRY_INTERVAL_SECONDS)
            for row in list(rows):
                if await self._try(row, quiet=True) is None:
                    rows.remove(row)
                    await self._remove(row.id)

    async def _remove(self, message_id: uuid.UUID) -> None:
        async def remove(uow: UnitOfWork) -> None:
            await _rows(uow).delivered([message_id])

        try:
            await self.database.transaction(remove)
        except Exception:
            logger.exception("outbox row delivered but not removed")

    async def sweep(self, *, limit: int = SWEEP_BATCH) -> Sweep:
        """Deliver due rows that no request delivered: claimed first, so concurrent sweepers
        never take the same row (their claims conflict and one retries)."""
        lease = timedelta(seconds=self.settings.outbox_lease_seconds)

        async def claim(uow: UnitOfWork) -> list[OutboxMessage]:
            now = utcnow()
            return await _rows(uow).claim(now=now, until=now + lease, limit=limit)

        rows = await self.database.transaction(claim)
        delivered: list[uuid.UUID] = []
        failed = dead = 0
        for row in rows:
            error = await self._try(row)
            if error is None:
                delivered.append(row.id)
                continue
            failed += 1
            dead += await self._record_failure(row, error=error)
        if delivered:
            await self.database.transaction(lambda uow: _rows(uow).delivered(delivered))
        return Sweep(delivered=len(delivered), failed=failed, dead=dead)

    async def _record_failure(self, row: OutboxMessage, *, error: str) -> int:
        is_dead = row.attempts >= self.settings.outbox_max_attempts or error.startswith(
            UNKNOWN_KIND
        )
        retry_at = utcnow() + backoff(row.attempts, cap=self.settings.outbox_backoff_cap_seconds)
        await self.database.transaction(
            lambda uow: _rows(uow).failed(
                message_id=row.id,
                attempts=row.attempts,
                retry_at=retry_at,
                error=error,
                dead=is_dead,
            )
        )
        if is_dead:
            logger.error("outbox row is dead", extra={"outbox_id": str(row.id), "kind": row.kind})
        return int(is_dead)

    async def dead(self, *, limit: int = SWEEP_BATCH) -> list[OutboxMessage]:
        """The rows that went dead, oldest first."""
        return await self.database.transaction(
            lambda uow: _rows(uow).list(status="dead", limit=limit)
        )

    async def retry(self, *, ids: list[uuid.UUID] | None = None) -> int:
        """Make dead rows (these, or all) due again with fresh attempts; how many."""
        return await self.database.transaction(lambda uow: _rows(uow).revive(ids=ids, now=utcnow()))

    async def close(self) -> None:
        """Stop in-process retries; their rows stay in the outbox for the sweeper."""
        for task in list(self._retries):
            task.cancel()
        await asyncio.gather(*self._retries, return_exceptions=True)


UNKNOWN_KIND = "unknown kind"


def _describe(exc: Exception) -> str:
    if isinstance(exc, UnknownKind):
        return f"{UNKNOWN_KIND} {exc}"
    return f"{type(exc).__name__}: {exc}"[:2000]
