"""The engine, and transactions that infrastructure owns: commit, rollback and conflict retry."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.core import errors
from app.settings import Settings

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Serialization failure (Aurora DSQL reports OC000/OC001 under it) and deadlock.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_retryable(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return sqlstate in RETRYABLE_SQLSTATES


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
        "isolation_level": "REPEATABLE READ",
        "pool_size": settings.database_pool_size,
        "pool_pre_ping": True,
        "pool_recycle": 50 * 60,
    }


class Database:
    """Owns the engine; runs units of work as whole, retried transactions."""

    def __init__(self, settings: Settings) -> None:
        self.engine: AsyncEngine = create_async_engine(
            settings.database_url, echo=settings.database_echo, **_engine_options(settings)
        )
        if settings.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.max_attempts = settings.transaction_max_attempts

    async def transaction(self, unit: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run unit in one transaction; on a serialization conflict, roll back and run it again."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self.sessionmaker() as session, session.begin():
                    return await unit(session)
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
        raise AssertionError("unreachable")

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
