"""Change a user's role: python -m scripts.set_role --email a@b.c --role admin."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import invalidation
from app.cache.reads import Cache
from app.cache.store import Store, connect
from app.core import errors
from app.db.database import Database
from app.db.models import ROLES
from app.sessions import service as sessions_service
from app.settings import Settings
from app.users import service
from app.users.repository import UserRepository

# The app's Redis timeout is tuned for the request path; a one-off command can wait longer.
REDIS_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class RoleChange:
    previous: str
    # False when Redis did not answer: cached sessions keep the old role for up to their TTL.
    sessions_invalidated: bool


async def set_role(settings: Settings, email: str, role: str) -> RoleChange:
    """Give the user with this email the role, and end the cached sessions that carry the old one.

    This bypasses the API, so it invalidates the session cache the way a role change through
    the API does; with no REDIS_URL there is no shared cache to reach.
    """

    async def unit(session: AsyncSession) -> tuple[str, list[str]]:
        user = await UserRepository(session).get_by_email(service.normalize_email(email))
        if user is None:
            raise errors.NotFound(f"No user with email {email!r}.")
        previous = user.role
        await service.change_role(session=session, user_id=user.id, role=role)
        hashes = await sessions_service.token_hashes(session=session, user_id=user.id)
        return previous, hashes

    database = Database(settings)
    try:
        previous, token_hashes = await database.transaction(unit)
    finally:
        await database.dispose()
    invalidated = await end_cached_sessions(settings=settings, token_hashes=token_hashes)
    return RoleChange(previous=previous, sessions_invalidated=invalidated)


async def end_cached_sessions(*, settings: Settings, token_hashes: list[str]) -> bool:
    """True once the sessions' cache entries are tombstoned, or when there is no Redis to reach."""
    if settings.redis_url is None or not token_hashes:
        return True
    patient = settings.model_copy(update={"redis_timeout_seconds": REDIS_TIMEOUT_SECONDS})
    # One attempt: a failure marks the store unavailable for the rest of this short run.
    store = Store(connect(patient), retry_after_seconds=3600)
    try:
        await invalidation.end_cached_sessions(
            cache=Cache(store, patient), token_hashes=token_hashes
        )
        return store.available
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="set_role", description="Change a user's role.")
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", required=True, choices=ROLES)
    args = parser.parse_args(argv)
    settings = Settings()
    try:
        change = asyncio.run(set_role(settings, args.email, args.role))
    except errors.NotFound as exc:
        print(f"set_role: {exc.message}", file=sys.stderr)
        return 1
    print(f"{args.email}: {change.previous} -> {args.role}")
    if not change.sessions_invalidated:
        print(
            "set_role: the role is changed, but Redis did not answer, so the user's cached"
            f" sessions keep the old role for up to {settings.cache_session_ttl_seconds} s;"
            " run the command again to retry",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
