"""Password resets: single-use tokens kept in DynamoDB only as keyed hashes, for 30 minutes."""

from __future__ import annotations

import contextlib
import time
import uuid

from app import errors
from app.platform.aws import dynamo, messaging
from app.platform.aws.clients import AwsClients
from app.platform.cache.reads import Cache
from app.platform.db.models import utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.emails import normalize_email
from app.platform.security import passwords, tokens
from app.sessions import service as sessions_service
from app.settings import Settings
from app.users.repository import UserRepository

TOKEN_TTL_SECONDS = 30 * 60
ISSUE = "password_reset.issue"
REQUESTED = "password_reset.requested"
KEY = "tokenHash"


def _hash(settings: Settings, token: str) -> str:
    pepper = settings.token_pepper.get_secret_value().encode()
    return tokens.token_hash(token, pepper=b"password-reset:" + pepper)


async def request(*, clients: AwsClients, email: str) -> None:
    """Queue the request for the job worker, whether or not the email has an account.

    The answer and its timing are then the same either way. Looking the account up here made a
    real account's answer slower (a token to store, a mail to queue), which revealed it.
    """
    await messaging.send(
        clients,
        queue=clients.settings.jobs_queue,
        message_type=ISSUE,
        body={"email": normalize_email(email)},
    )


async def issue(*, uow: UnitOfWork, clients: AwsClients, settings: Settings, email: str) -> bool:
    """For an account, store a token hash and queue the token for delivery; else nothing.

    Run by the job worker. True when a token was issued.
    """
    user = await UserRepository(uow.session).get_by_email(email)
    if user is None:
        return False
    token = tokens.new_token()
    token_hash = _hash(settings, token)
    expires_at = int(time.time()) + TOKEN_TTL_SECONDS
    table = clients.settings.resets_table
    item = {KEY: token_hash, "userId": str(user.id), "expiresAt": expires_at}
    await dynamo.put_item(clients, table=table, item=item, new_key=KEY)
    try:
        await messaging.send(
            clients,
            queue=clients.settings.mail_queue,
            message_type=REQUESTED,
            body={"email": user.email, "token": token, "expiresAt": expires_at},
        )
    except errors.ServiceUnavailable:
        # A token nobody received is harmless, but do not leave it usable; TTL is the backstop.
        with contextlib.suppress(errors.ServiceUnavailable):
            await dynamo.delete_item(clients, table=table, key={KEY: token_hash})
        raise
    return True


async def confirm(
    *,
    uow: UnitOfWork,
    clients: AwsClients,
    cache: Cache,
    settings: Settings,
    token: str,
    password: str,
) -> None:
    """Spend the token (of concurrent uses, one wins), set the password, end all sessions.

    The token is claimed for this request (the unit of work's request id) rather than deleted:
    when a database conflict reruns the transaction, the rerun with the same claim finds it
    again. A claimed token never works for another request, and the table's TTL removes it.
    """
    if not tokens.looks_like_token(token):
        raise errors.NotFound("The reset token is unknown, used or expired.")
    password_hash = await passwords.hash_password(password)
    claimed = await dynamo.update_item(
        clients,
        table=clients.settings.resets_table,
        key={KEY: _hash(settings, token)},
        values={"claimedBy": str(uow.request_id)},
        only_if=(
            "attribute_exists(tokenHash) AND expiresAt > :now"
            " AND (attribute_not_exists(#f0) OR #f0 = :claim)"
        ),
        condition_values={":now": int(time.time()), ":claim": str(uow.request_id)},
    )
    if claimed is None:
        raise errors.NotFound("The reset token is unknown, used or expired.")
    users = UserRepository(uow.session)
    user = await users.get(uuid.UUID(claimed["userId"]))
    if user is None:
        raise errors.NotFound("The reset token is unknown, used or expired.")
    user.password_hash = password_hash
    user.updated_at = utcnow()
    await users.save(user)
    await sessions_service.end_all(uow=uow, cache=cache, user_id=user.id)
