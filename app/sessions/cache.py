"""Validated sessions, cached briefly by token hash, and what ends them in the cache.

A cached session never outlives its absolute expiry. Logout, revocation, role changes and
password resets write a tombstone over the session's key once their change commits, so the
very next request with that token goes to the database and answers 401.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from app.platform.authz import Principal
from app.platform.cache.keys import PREFIX
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages


def session_key(token_hash: str) -> str:
    return f"{PREFIX}:session:{token_hash}"


def encode(principal: Principal, expires_at: datetime) -> bytes:
    fields = (principal.user_id, principal.role, principal.session_id, expires_at.isoformat())
    return "|".join(map(str, fields)).encode()


def decode(raw: bytes) -> tuple[Principal, datetime]:
    user_id, role, session_id, expires_at = raw.decode().split("|")
    principal = Principal(user_id=uuid.UUID(user_id), role=role, session_id=uuid.UUID(session_id))
    return principal, datetime.fromisoformat(expires_at)


def sessions_ended(uow: UnitOfWork, *, token_hashes: Iterable[str]) -> None:
    """Sessions ended or changed role: after the commit, their cached entries are tombstoned."""
    entries = [session_key(token_hash) for token_hash in token_hashes]
    if entries:
        uow.emit(messages.invalidate(entries=entries))
