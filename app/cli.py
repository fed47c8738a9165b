"""The operator's command line, shipped in the image: `python -m app.cli <command> ...`.

set-role      change a user's role by the API's rule (cached sessions end with the old role)
outbox-dead   list the outbox rows that gave up after OUTBOX_MAX_ATTEMPTS deliveries
outbox-retry  make dead rows (--id ..., or --all) due again; the next sweep delivers them
outbox-sweep  deliver what is due now, once (the worker does this on its schedule)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid

import msgspec

from app import errors
from app.bootstrap import open_resources
from app.platform.db.models import ROLES
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings, get_settings
from app.users import service as users_service

# The app's Redis timeout is tuned for the request path; a one-off command can wait longer.
REDIS_TIMEOUT_SECONDS = 5.0
# After one failure Redis stays skipped for longer than a command runs: one attempt, one answer.
REDIS_RETRY_AFTER_SECONDS = 60.0


class RoleChange(msgspec.Struct, frozen=True):
    previous: str
    # False when Redis did not answer: cached sessions keep the old role for up to their TTL.
    sessions_invalidated: bool


async def change_role(*, settings: Settings, email: str, role: str) -> RoleChange:
    """Give the user with this email the role, and end the cached sessions that carry the old one.

    With no REDIS_URL there is no shared cache to reach, and nothing cached to end.
    """
    patient = settings.model_copy(
        update={
            "redis_timeout_seconds": REDIS_TIMEOUT_SECONDS,
            "redis_retry_after_seconds": REDIS_RETRY_AFTER_SECONDS,
        }
    )
    async with open_resources(patient) as resources:

        async def unit(uow: UnitOfWork) -> str:
            user = await users_service.get_by_email(uow=uow, email=email)
            previous = user.role
            await users_service.change_role(uow=uow, user=user, role=role)
            return previous

        previous = await resources.database.transaction(unit)
        return RoleChange(previous=previous, sessions_invalidated=resources.cache.store.available)


def _change_role(*, args: argparse.Namespace, settings: Settings) -> int:
    try:
        change = asyncio.run(change_role(settings=settings, email=args.email, role=args.role))
    except errors.NotFound as exc:
        sys.stderr.write(f"set-role: {exc.message}\n")
        return 1
    sys.stdout.write(f"{args.email}: {change.previous} -> {args.role}\n")
    if not change.sessions_invalidated:
        sys.stderr.write(
            "set-role: the role is changed, but Redis did not answer: ending the user's cached"
            " sessions waits in the outbox, and the worker's sweeper delivers it once Redis"
            f" answers (until then, or {settings.cache_session_ttl_seconds} s at most, they keep"
            " the old role)\n"
        )
        return 2
    return 0


async def outbox_dead(*, settings: Settings) -> list[str]:
    async with open_resources(settings) as resources:
        rows = await resources.outbox.dead(limit=1000)
    return [
        f"{row.id}  {row.kind}  attempts={row.attempts}  {row.created_at.isoformat()}"
        f"  {row.last_error or ''}"
        for row in rows
    ]


async def outbox_retry(*, settings: Settings, ids: list[uuid.UUID] | None) -> int:
    async with open_resources(settings) as resources:
        return await resources.outbox.retry(ids=ids)


async def outbox_sweep(*, settings: Settings) -> str:
    async with open_resources(settings) as resources:
        done = await resources.outbox.sweep()
    return f"delivered={done.delivered} failed={done.failed} dead={done.dead}"


def _outbox(*, args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "outbox-dead":
        lines = asyncio.run(outbox_dead(settings=settings))
        sys.stdout.write("".join(f"{line}\n" for line in lines) or "no dead outbox rows\n")
        return 0
    if args.command == "outbox-retry":
        if not args.all and not args.id:
            sys.stderr.write("outbox-retry: name rows with --id, or pass --all\n")
            return 1
        ids = None if args.all else [uuid.UUID(text) for text in args.id]
        count = asyncio.run(outbox_retry(settings=settings, ids=ids))
        sys.stdout.write(f"{count} outbox rows due again\n")
        return 0
    sys.stdout.write(asyncio.run(outbox_sweep(settings=settings)) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.cli", description="Operator commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    role_parser = commands.add_parser(
        "set-role", help="change a user's role", description="Change a user's role."
    )
    role_parser.add_argument("--email", required=True)
    role_parser.add_argument("--role", required=True, choices=ROLES)
    commands.add_parser("outbox-dead", help="list dead outbox rows")
    retry_parser = commands.add_parser("outbox-retry", help="make dead outbox rows due again")
    retry_parser.add_argument("--id", action="append", default=[], help="an outbox id")
    retry_parser.add_argument("--all", action="store_true", help="every dead row")
    commands.add_parser("outbox-sweep", help="deliver the due outbox rows once")
    args = parser.parse_args(argv)
    if args.command == "set-role":
        return _change_role(args=args, settings=get_settings())
    if args.command.startswith("outbox-"):
        return _outbox(args=args, settings=get_settings())
    raise AssertionError(f"unhandled command {args.command!r}")


if __name__ == "__main__":
    sys.exit(main())
