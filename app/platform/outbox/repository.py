"""All SQL of the outbox: claims that stay correct with several sweepers and under DSQL's
optimistic concurrency (two claims of one row conflict, and the retry finds it taken)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db.models import OutboxMessage


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, now: datetime, until: datetime, limit: int) -> list[OutboxMessage]:
        """Take up to limit pending rows that are due, oldest first, until `until`."""
        due = (
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.available_at <= now)
            .order_by(OutboxMessage.created_at, OutboxMessage.request_id, OutboxMessage.seq)
            .limit(limit)
        )
        ids = list((await self.session.scalars(due)).all())
        if not ids:
            return []
        claimed = await self.session.scalars(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == "pending",
                OutboxMessage.available_at <= now,
            )
            .values(available_at=until, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )
        rows = list(claimed.all())
        return sorted(rows, key=lambda row: (row.created_at, row.request_id, row.seq))

    async def delivered(self, ids: Sequence[uuid.UUID]) -> None:
        if ids:
            await self.session.execute(
                delete(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .execution_options(synchronize_session=False)
            )

    async def failed(
        self, *, message_id: uuid.UUID, attempts: int, retry_at: datetime, error: str, dead: bool
    ) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(
                attempts=attempts,
                available_at=retry_at,
                last_error=error[:2000],
                status="dead" if dead else "pending",
            )
            .execution_options(synchronize_session=False)
        )

    async def get(self, message_id: uuid.UUID) -> OutboxMessage | None:
        return await self.session.get(OutboxMessage, message_id)

    async def list(self, *, status: str, limit: int) -> list[OutboxMessage]:
        found = await self.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == status)
            .order_by(OutboxMessage.created_at, OutboxMessage.seq)
            .limit(limit)
        )
        return list(found.all())

    async def revive(self, *, ids: Sequence[uuid.UUID] | None, now: datetime) -> int:
        """Dead rows back to pending, due now, with their attempts reset: all when ids is None."""
        statement = update(OutboxMessage).where(OutboxMessage.status == "dead")
        if ids is not None:
            statement = statement.where(OutboxMessage.id.in_(ids))
        result = await self.session.execute(
            statement.values(status="pending", attempts=0, available_at=now).execution_options(
                synchronize_session=False
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)
