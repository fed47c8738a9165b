"""Password resets: single-use tokens kept in DynamoDB only as keyed hashes, for 30 minutes.

A reset ends every other token of the account too. Beside its tokens each account that was
ever reset has one item in the same table, keyed `user:{userId}`, holding a `generation`: a
token stores the generation it was issued in, a reset spends a token only while the account
is still in that generation and moves it on, so the account's older tokens stop working at
once. A counter rather than timestamps: the worker that issues tokens and the API that spends
them never compare clocks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from collections.abc import Awaitable, Callable

import msgspec

from app import errors
from app.platform.aws import dynamo, messaging
from app.platform.aws.calls import AwsError
from app.platform.aws.clients import AwsClients
from app.platform.db.models import utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.emails import normalize_email
from app.platform.outbox import messages
from app.platform.security import passwords, tokens
from app.sessions import service as sessions_service
from app.settings import Settings
from app.users.repository import UserRepository

TOKEN_TTL_SECONDS = 30 * 60
ISSUE = "password_reset.issue"
REQUESTED = "password_reset.requested"
KEY = "tokenHash"
GENERATION = "generation"
# Where concurrent uses of one token have passed its shape check and none has claimed it yet.
CLAIMING = "password_reset.claim"


class Account(msgspec.Struct, frozen=True):
    user_id: uuid.UUID
    email: str


def _hash(settings: Settings, token: str) -> str:
    pepper = settings.token_pepper.get_secret_value().encode()
    return tokens.token_hash(token, pepper=b"password-reset:" + pepper)


async def request(*, uow: UnitOfWork, settings: Settings, email: str) -> None:
    """Queue the request for the job worker, whether or not the email has an account.

    The answer and its timing are then the same either way. Looking the account up here made a
    real account's answer slower (a token to store, a mail to queue), which revealed it. The job
    leaves through the outbox once this request's transaction commits.
    """
    uow.emit(
        messages.job(
            queue=settings.jobs_queue, message_type=ISSUE, body={"email": normalize_email(email)}
        )
    )


async def account_for(*, uow: UnitOfWork, email: str) -> Account | None:
    """The account a reset of this (normalized) email is for; None when there is none."""
    user = await UserRepository(uow.session).get_by_email(email)
    return None if user is None else Account(user_id=user.id, email=user.email)


def _account_key(user_id: uuid.UUID | str) -> dict[str, str]:
    # Token hashes are hex digests, so no token's key can take this form.
    return {KEY: f"user:{user_id}"}


async def _generation(*, clients: AwsClients, settings: Settings, user_id: uuid.UUID) -> int:
    """The account's current token generation: 0 until its first reset."""
    stored = await dynamo.get_item(clients, table=settings.resets_table, key=_account_key(user_id))
    return int(stored.get(GENERATION, 0)) if stored else 0


def _token_for(settings: Settings, job_id: str) -> str:
    # One job, one token: a redelivered job finds the item it already stored and the mail
    # it already sent. Unguessable without the pepper, like a random token.
    pepper = settings.token_pepper.get_secret_value().encode()
    digest = hmac.new(pepper, f"password-reset-job:{job_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


async def issue(
    *, clients: AwsClients, settings: Settings, account: Account, job_id: str | None
) -> bool:
    """Store a token hash for the account and queue the token for delivery, once per job.

    Run by the job worker outside any transaction. A duplicate of the job (the same job_id)
    stores nothing new and sends no second mail once the first was queued; the mail carries
    job_id as `dedupeId` for a mailer that may itself see a message twice. True when this call
    queued the mail.

    The token belongs to the account's generation as read before it is stored: a reset that
    lands in between leaves it already spent, never alive.
    """
    token = _token_for(settings, job_id) if job_id else tokens.new_token()
    token_hash = _hash(settings, token)
    table = settings.resets_table
    generation = await _generation(clients=clients, settings=settings, user_id=account.user_id)
    item = {
        KEY: token_hash,
        "userId": str(account.user_id),
        "expiresAt": int(time.time()) + TOKEN_TTL_SECONDS,
        "mailed": False,
        GENERATION: generation,
    }
    try:
        await dynamo.put_item(clients, table=table, item=item, new_key=KEY)
    except AwsError as exc:
        if not exc.condition_failed:
            raise
        stored = await dynamo.get_item(clients, table=table, key={KEY: token_hash})
        if stored is None or stored.get("mailed"):
            return False  # spent, expired or already mailed: this is a duplicate
        item = stored
    await messaging.send(
        clients,
        queue=settings.mail_queue,
        message_type=REQUESTED,
        body={
            "email": account.email,
            "token": token,
            "expiresAt": item["expiresAt"],
            "dedupeId": job_id or token_hash,
        },
    )
    await dynamo.update_item(clients, table=table, key={KEY: token_hash}, values={"mailed": True})
    return True


async def _end_generation(
    *, clients: AwsClients, settings: Settings, user_id: str, generation: int, claim: str
) -> bool:
    """Move the account past the token's generation, which ends every token issued in it.

    Of two resets with tokens of one generation, one passes; the rerun of a transaction that
    already moved it (the same claim) passes again. False when the token's generation is over.
    """
    condition = "#f0 = :generation OR #f1 = :claim"
    if generation == 0:
        condition = "attribute_not_exists(#f0) OR " + condition
    moved = await dynamo.update_item(
        clients,
        table=settings.resets_table,
        key=_account_key(user_id),
        values={GENERATION: generation + 1, "resetBy": claim},
        only_if=condition,
        condition_values={":generation": generation, ":claim": claim},
    )
    return moved is not None


async def confirm(
    *,
    uow: UnitOfWork,
    clients: AwsClients,
    settings: Settings,
    token: str,
    password: str,
    hasher: Callable[[str], Awaitable[str]] = passwords.hash_password,
) -> None:
    """Spend the token (of concurrent uses, one wins), set the password, end all sessions and
    every other reset token of the account.

    The token is checked before anything costly: its shape, then its claim in DynamoDB, then
    its generation; only a good token pays for hashing the new password (`hasher`, the seam
    tests count hashes through). The token is claimed for this request (the unit of work's
    request id) rather than deleted: when a database conflict reruns the transaction, the rerun
    with the same claim finds it again. A claimed token never works for another request, and
    the table's TTL removes it.
    """
    if not tokens.looks_like_token(token):
        raise errors.NotFound("The reset token is unknown, used or expired.")
    claim = str(uow.request_id)
    await uow.reach(CLAIMING)
    claimed = await dynamo.update_item(
        clients,
        table=clients.settings.resets_table,
        key={KEY: _hash(settings, token)},
        values={"claimedBy": claim},
        only_if=(
            "attribute_exists(tokenHash) AND expiresAt > :now"
            " AND (attribute_not_exists(#f0) OR #f0 = :claim)"
        ),
        condition_values={":now": int(time.time()), ":claim": claim},
    )
    if claimed is None:
        raise errors.NotFound("The reset token is unknown, used or expired.")
    if not await _end_generation(
        clients=clients,
        settings=settings,
        user_id=claimed["userId"],
        generation=int(claimed.get(GENERATION, 0)),
        claim=claim,
    ):
        raise errors.NotFound("The reset token is unknown, used or expired.")
    password_hash = await hasher(password)
    users = UserRepository(uow.session)
    user = await users.get(uuid.UUID(claimed["userId"]))
    if user is None:
        raise errors.NotFound("The reset token is unknown, used or expired.")
    user.password_hash = password_hash
    user.updated_at = utcnow()
    await users.save(user)
    await sessions_service.end_all(uow=uow, user_id=user.id)
