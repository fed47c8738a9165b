"""Change a user's role: python -m scripts.set_role --email a@b.c --role admin."""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import errors
from app.db.database import Database
from app.db.models import ROLES
from app.settings import Settings
from app.users import service
from app.users.repository import UserRepository


async def set_role(settings: Settings, email: str, role: str) -> str:
    """Give the user with this email the role; return the role they had before."""

    async def unit(session: AsyncSession) -> str:
        user = await UserRepository(session).get_by_email(service.normalize_email(email))
        if user is None:
            raise errors.NotFound(f"No user with email {email!r}.")
        previous = user.role
        await service.change_role(session=session, user_id=user.id, role=role)
        return previous

    database = Database(settings)
    try:
        return await database.transaction(unit)
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="set_role", description="Change a user's role.")
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", required=True, choices=ROLES)
    args = parser.parse_args(argv)
    try:
        previous = asyncio.run(set_role(Settings(), args.email, args.role))
    except errors.NotFound as exc:
        print(f"set_role: {exc.message}", file=sys.stderr)
        return 1
    print(f"{args.email}: {previous} -> {args.role}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
