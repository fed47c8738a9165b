"""Translates the database's constraint violations into the service's own errors."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app import errors


async def flush_or_conflict(session: AsyncSession, message: str) -> None:
    """Flush pending writes; a unique or foreign-key violation becomes 409 with message."""
    try:
        await session.flush()
    except IntegrityError as exc:
        raise errors.Conflict(message) from exc
