"""The engine, and transactions that infrastructure owns: commit, rollback and conflict retry."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

from app import errors
from app.platform.checkpoints import Checkpoint
from app.platform.db.dsql import AsyncConnect, connector_from
from app.platform.db.models import OutboxMessage
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings

T = TypeVar("T")
# Delivers the outbox rows a committed unit wrote (app/platform/outbox/relay.py sets it).
Dispatch = Callable[[list[OutboxMessage]], Awaitable[None]]
logger = logging.getLogger(__name__)

# Serialization failure and deadlock; Aurora DSQL's optimistic concurrency conflicts come as
# 40001 with OC000 (data) or OC001 (schema) in the message, and some drivers report the OC code.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "OC000", "OC001"})
_DSQL_CONFLICT = re.compile(r"\bOC00[01]\b")


def is_retryable(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate in RETRYABLE_SQLSTATES or _DSQL_CONFLICT.search(str(exc.orig)) is not None


def is_unavailable(exc: DBAPIError) -> bool:
    """The database could not be reached: an outage to report as 503, not a bug."""
    return exc.connection_invalidated or isinstance(exc.orig, OSError | TimeoutError)


def backoff_seconds(attempt: int, *, base: float = 0.005, cap: float = 0.2) -> float:
    """Full jitter: a random wait up to an exponentially growing, capped ceiling."""
    return random.uniform(0, min(cap, base * 2**attempt))  # noqa: S311 - jitter, not secrecy


def _engine_options(settings: Settings) -> dict[str, Any]:
    if settings.is_sqlite:
        return {"connect_args": {"timeout": 15}}
    return {
        # The only level Aurora DSQL has; PostgreSQL runs the same way so conflicts show up here.
        "isolation_level": "REPEATABLE READ",
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_max_overflow,
        "pool_pre_ping": True,
        # Under Aurora DSQL's 60-minute cap on a connection's life.
        "pool_recycle": 50 * 60,
    }


def create_engine(
    settings: Settings, *, connect: AsyncConnect | None = None, **overrides: Any
) -> AsyncEngine:
    """The engine for DATABASE_URL, or for Aurora DSQL (IAM token per new connection)."""
    options = {**_engine_options(settings), **overrides}
    if connect is None and settings.database_dsql_endpoint:
        connect = connector_from(settings)
    if connect is None:
        return create_async_engine(settings.database_url, echo=settings.database_echo, **options)
    return create_async_engine(
        "postgresql+asyncpg://", async_creator=connect, echo=settings.database_echo, **options
    )


class Database:
    """Owns the engine; runs units of work as whole, retried transactions."""

    def __init__(self, settings: Settings, *, connect: AsyncConnect | None = None) -> None:
        self.engine: AsyncEngine = create_engine(settings, connect=connect)
        if settings.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.max_attempts = settings.transaction_max_attempts
        self.lease_seconds = settings.outbox_lease_seconds
        self.dispatch: Dispatch | None = None
        self.checkpoint: Checkpoint | None = None

    async def transaction(
        self, work: Callable[[UnitOfWork], Awaitable[T]], *, request_id: uuid.UUID | None = None
    ) -> T:
        """Run work in one transaction; on a serialization conflict, roll back and run it again.

        Each attempt gets its own unit of work; the outbox rows of the attempt that committed
        are handed to dispatch once the commit has succeeded, and no others.
        """
        request_id = request_id or uuid.uuid4()
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self.sessionmaker() as session, session.begin():
                    unit = UnitOfWork(
                        session=session,
                        request_id=request_id,
                        attempt=attempt,
                        lease_seconds=self.lease_seconds,
                        checkpoint=self.checkpoint,
                    )
                    result = await work(unit)
            except (OSError, TimeoutError) as exc:
                # asyncpg raises these unwrapped when it cannot reach the server at all.
                raise errors.ServiceUnavailable(headers={"Retry-After": "1"}) from exc
            except DBAPIError as exc:
                if is_unavailable(exc):
                    raise errors.ServiceUnavailable(headers={"Retry-After": "1"}) from exc
                if not is_retryable(exc) or attempt == self.max_attempts:
                    raise
                logger.info("transaction conflict, retrying", extra={"attempt": attempt})
                await asyncio.sleep(backoff_seconds(attempt))
                continue
            if unit.outbox and self.dispatch is not None:
                await self.dispatch(unit.outbox)
            return result
        raise AssertionError("unreachable")

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
