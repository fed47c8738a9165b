"""Schemathesis hooks for the contract run: the state a valid request needs to succeed.

- One admin session for the whole run. schemathesis logs both identities in ([auth.wfc] in
  schemathesis.toml) and sends every request as the admin; before the call, the admin's token
  is swapped for the session below. object_level_authorization sends its own requests as the
  author, with schemathesis' login, past these hooks. The operations that end a session
  (logout, revoke) get a session of their own per call, so logging out never logs the run
  out. A revoke can still name the admin's session, and a role change ends it: after those,
  and after a 401 to the admin's token, the session is checked and, once ended, the next call
  logs in again. (The stateful phase does not replay a 401 with fresh credentials as the
  others can, so the session must be renewed before the next call, not after its 401.)
- An Idempotency-Key of its own for each valid call.
- The client's side of an upload: a file posted to each form createAttachment hands out, so
  that completeAttachment meets real uploads.
- What no fuzzer can guess, for every other valid request that needs it (the others keep their
  drawn value, so unknown ones stay tested): a real reset token from the mail queue for
  confirmPasswordReset, the last job completeAttachment started for getJob, a delivery of a
  webhook seeded for the purpose for redeliverWebhookDelivery, and the credentials of an
  account registered for the purpose for createSession (no drawn email is ever registered, and
  the link from registerUser is followed only in some runs). The stateful
  phase follows the contract's links to the same objects, but reaches long chains only now
  and then.
- The admin made an admin again, and the author an author, when the fuzzer changes a role.
"""

from __future__ import annotations

import functools
import itertools
import secrets
from collections import defaultdict, deque
from typing import Any

import schemathesis

from app.settings import Settings
from app.webhooks.events import EVENT_TYPES
from scripts.contract import fuzz_state

IDEMPOTENCY_KEY = "Idempotency-Key"
AUTHORIZATION = "Authorization"
# The contract's longest key, less the suffix added below ("-" and 16 hex digits).
_KEY_ROOM = 255 - 17
ENDS_A_SESSION = frozenset({"deleteCurrentSession", "deleteSession"})
GIVEN_REAL_VALUES = frozenset(
    {"confirmPasswordReset", "createSession", "getJob", "redeliverWebhookDelivery"}
)

ADMIN = fuzz_state.AdminSession()
STARTED_JOBS: deque[str] = deque(maxlen=20)
_turns: defaultdict[str, itertools.count[int]] = defaultdict(itertools.count)


def operation_id(case: Any) -> str | None:
    value = case.operation.definition.raw.get("operationId")
    return value if isinstance(value, str) else None


def is_positive(case: Any) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def admin_token(case: Any) -> str:
    """A session of its own for a call that ends one, else the admin's."""
    if operation_id(case) in ENDS_A_SESSION:
        return fuzz_state.login()
    return ADMIN.token()


def sent_as_the_admin(case: Any) -> bool:
    """Whether schemathesis put the admin's credentials on this call (not on a call it sends
    without them, to test that they are required)."""
    return case.auth_identity == fuzz_state.ADMIN_IDENTITY and AUTHORIZATION in (case.headers or {})


def idempotency_key(case: Any) -> str | None:
    """The drawn key, suffixed to be unique to this call, as the contract asks of clients.

    The fuzzer draws short keys again and again. Sent with another body, a reused key is rightly
    refused (422 IDEMPOTENCY_KEY_REUSED); sent with the same request, it replays the first
    answer, whose object a later step may have deleted since (the stateful checks then see a
    "created" object that is gone). A repeat by the fuzzer is a new request, not a retry.
    Negative cases (a malformed key among them) are left as drawn. None when there is nothing
    to change.
    """
    key = (case.headers or {}).get(IDEMPOTENCY_KEY)
    if not isinstance(key, str) or not is_positive(case):
        return None
    return f"{key[:_KEY_ROOM]}-{secrets.token_hex(8)}"


@functools.cache
def reset_tokens() -> fuzz_state.ResetTokens:
    return fuzz_state.ResetTokens(Settings())


@functools.cache
def login_account() -> dict[str, str]:
    return fuzz_state.login_account()


SEEDED: dict[str, dict[str, str]] = {}


def seeded_delivery(token: str) -> dict[str, str]:
    """The seeded webhook's delivery, seeded again once the webhook is gone: the fuzzer can
    delete it (the stateful phase follows listWebhooks' ids to deleteWebhook)."""
    seeded = SEEDED.get(token)
    if seeded is None or not fuzz_state.webhook_exists(token, seeded["webhookId"]):
        webhook_id, delivery_id = fuzz_state.seeded_delivery(token, list(EVENT_TYPES))
        seeded = SEEDED[token] = {"webhookId": webhook_id, "deliveryId": delivery_id}
    return seeded


def real_values(name: str | None, case: Any) -> dict[str, str] | None:
    """The path parameters to give this operation's valid request; None if none."""
    if name == "confirmPasswordReset":
        return {"token": reset_tokens().fresh()}
    if name == "getJob" and STARTED_JOBS:
        return {"jobId": STARTED_JOBS[-1]}
    if name == "redeliverWebhookDelivery":
        return seeded_delivery(admin_token(case))
    return None


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    if sent_as_the_admin(case):
        case.headers[AUTHORIZATION] = f"Bearer {admin_token(case)}"
    key = idempotency_key(case)
    if key is not None:
        case.headers = {**(case.headers or {}), IDEMPOTENCY_KEY: key}
    name = operation_id(case)
    if name in GIVEN_REAL_VALUES and is_positive(case) and next(_turns[name]) % 2 == 0:
        if name == "createSession":
            case.body = dict(login_account())
            return
        given = real_values(name, case)
        if given is not None:
            case.path_parameters = {**(case.path_parameters or {}), **given}


def may_have_ended_the_admins_session(name: str | None, case: Any, response: Any) -> bool:
    """A revoke may have named the admin's session; a 401 to its token may mean it ended."""
    if name == "deleteSession":
        return bool(response.status_code == 204)
    return bool(response.status_code == 401 and ADMIN.carried_by(case.headers))


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    name = operation_id(case)
    if name == "createAttachment" and response.status_code == 201:
        data = response.json()["data"]
        declared = data["attachment"]
        fuzz_state.upload(
            data["upload"], content_type=declared["contentType"], size=declared["size"]
        )
    elif name == "completeAttachment" and response.status_code == 202:
        STARTED_JOBS.append(response.json()["data"]["jobId"])
    elif name == "updateUserRole" and response.status_code == 200:
        user = response.json()["data"]
        if user["id"] == fuzz_state.admin_id() and fuzz_state.restore_admin(user["role"]):
            ADMIN.drop()
        elif user["id"] == fuzz_state.peer_id():
            fuzz_state.restore_peer(user["role"])
    if may_have_ended_the_admins_session(name, case, response):
        ADMIN.check()
