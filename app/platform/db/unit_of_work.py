"""A unit of work: one attempt of a transaction, and what must happen once it has committed.

Services receive one and never commit: the infrastructure that made it (Database.transaction)
commits, rolls back or runs the whole unit again after a serialization conflict. A retried
attempt gets a fresh unit, so callbacks registered by an attempt that rolled back never run.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

AfterCommit = Callable[[], Awaitable[None]]


@dataclass(slots=True)
class UnitOfWork:
    session: AsyncSession
    # The same in every attempt of one logical request: what a retry must not draw anew.
    request_id: uuid.UUID
    attempt: int = 1
    _after_commit: list[AfterCommit] = field(default_factory=list)

    def after_commit(self, callback: AfterCommit) -> None:
        """Run callback once this attempt has committed (cache invalidation)."""
        self._after_commit.append(callback)

    async def committed(self) -> None:
        """Called by the infrastructure after the commit; runs the callbacks in order."""
        for callback in self._after_commit:
            await callback()
