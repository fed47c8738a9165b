"""Change a user's role: python -m scripts.set_role --email a@b.c --role admin."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass

from app import errors
from app.platform.cache.reads import Cache
from app.platform.cache.store import Store, connect
from app.platform.db.database import Database
from app.platform.db.models import ROLES
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings
from app.users import service

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

    patient = settings.model_copy(update={"redis_timeout_seconds": REDIS_TIMEOUT_SECONDS})
    # One attempt: a failure marks the store unavailable for the rest of this short run.
    store = Store(connect(patient), retry_after_seconds=3600)
    cache = Cache(store, patient)

    async def unit(uow: UnitOfWork) -> str:
        user = await service.get_by_email(uow=uow, email=email)
        previous = user.role
        await service.change_role(uow=uow, cache=cache, user=user, role=role)
        return previous

    database = Database(settings)
    try:
        previous = await database.transaction(unit)
    finally:
        await database.dispose()
        await store.close()
    return RoleChange(previous=previous, sessions_invalidated=store.available)


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
