"""A unit of work: one attempt of a transaction, and what must happen once it has committed.

Services receive one and never commit: the infrastructure that made it (Database.transaction)
commits, rolls back or runs the whole unit again after a serialization conflict. A retried
attempt gets a fresh unit, so what an attempt that rolled back emitted never leaves: only the
committed unit's outbox rows are handed to the relay (Database.dispatch).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

import msgspec

from app.platform import checkpoints

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from app.platform.db.models import OutboxMessage
    from app.platform.outbox.messages import Message


class UnitOfWork(msgspec.Struct):
    session: AsyncSession
    # The same in every attempt of one logical request: what a retry must not draw anew.
    request_id: uuid.UUID
    attempt: int = 1
    # How long the request owns the outbox rows it wrote before the sweeper may take them.
    lease_seconds: float = 10.0
    outbox: list[OutboxMessage] = msgspec.field(default_factory=list)
    # None outside tests (app/platform/checkpoints.py).
    checkpoint: checkpoints.Checkpoint | None = None

    async def reach(self, point: str) -> None:
        """A point where concurrent requests race; a test may hold them all there."""
        await checkpoints.reach(self.checkpoint, point)

    def emit(self, message: Message) -> uuid.UUID:
        """Record a side effect in this transaction; it leaves once the transaction commits.

        Its id is drawn from the request id and its place in the request, so a retried attempt
        writes the same id again and a consumer can deduplicate on it.
        """
        from app.platform.db.models import OutboxMessage, utcnow

        seq = len(self.outbox)
        now = utcnow()
        row = OutboxMessage(
            id=uuid.uuid5(self.request_id, f"outbox:{seq}"),
            request_id=self.request_id,
            seq=seq,
            kind=message.kind,
            payload=message.encode(),
            status="pending",
            attempts=0,
            available_at=now + timedelta(seconds=self.lease_seconds),
            created_at=now,
        )
        self.session.add(row)
        self.outbox.append(row)
        return row.id
