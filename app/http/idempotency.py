"""Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header), as Stripe does it.

Which operations take the header is the contract's business: an operation that declares it has
a generated route that validates the value (a malformed key is a 400, app/http/envelope.py) and
calls `RequestContext.run_idempotent`, which calls `begin` before the handler. `begin` claims
the key in DynamoDB with a conditional put, or answers for the request: the stored first answer
(`Replayed`), 422 for the same key with another request, 409 while the first is in flight, 503
when the table cannot be reached (the client sent the header; running without it would break
its promise).

The answer is captured by `IdempotencyMiddleware` (pure ASGI, innermost), which sees the exact
status, headers and body the app sends, errors rendered by the exception handlers included. A
2xx or 4xx is stored before it leaves (on Lambda nothing runs after the answer); a 5xx, an
exception or a request that sent nothing releases the claim, so the client may retry.

One item per caller and key, in the `idempotency_table`:

- `scopedKey`: SHA-256 of the caller (the user, or the client address when anonymous) and the key,
  so one caller can never reach another's answer;
- `fingerprint`: SHA-256 of the operation, method, path, query and raw body;
- `phase` (`running` or `done`), `claimId` (whose claim it is), `operationId`, `startedAt`;
- `expiresAt` (TTL): while running, the end of the claim's lease (`idempotency_lease_seconds`),
  after which a retry may take the key over; once done, 24 hours after the first request;
- once done: `status`, `headers` (`Location`, `ETag`, `Content-Type`) and `body` (zlib).
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import errors
from app.platform.aws import dynamo
from app.platform.aws.calls import AwsError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from app.platform.authz import Principal
    from app.platform.aws.clients import AwsClients
    from app.platform.resources import Resources

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# How long a first answer is replayed: the contract promises 24 hours.
TTL_SECONDS = 24 * 3600
IN_USE_RETRY_AFTER_SECONDS = 1
KEY_ATTRIBUTE = "scopedKey"
# The headers of an answer that a replay repeats; the rest belong to the request that ran.
KEPT_HEADERS = frozenset({b"location", b"etag", b"content-type"})
RUNNING, DONE = "running", "done"
# Two tries: a claim that expired or was released between our put and our read is retried once.
_CLAIM_ATTEMPTS = 2
_SLOT = "idempotency"
_HEADER_NAME = HEADER.lower().encode()


class Replayed(Exception):
    """The stored first answer to this request, to be sent instead of running the handler."""

    def __init__(self, response: Response) -> None:
        self.response = response
        super().__init__("replayed")


def _digest(*parts: str | bytes) -> str:
    """SHA-256 over the parts, each length-prefixed so no two lists of parts collide."""
    digest = hashlib.sha256()
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        digest.update(len(raw).to_bytes(8, "big"))
        digest.update(raw)
    return digest.hexdigest()


def caller_scope(principal: Principal | None, client_address: str) -> str:
    """Whose key it is: the signed-in user, or for an anonymous call the client address."""
    if principal is not None:
        return f"user:{principal.user_id}"
    return f"address:{client_address}"


def scoped_key(caller: str, key: str) -> str:
    """The table's key for a caller's Idempotency-Key: no caller can name another's item."""
    return _digest(caller, key)


class Claim(msgspec.Struct):
    """This request's hold on its key, settled once by the middleware with the answer."""

    clients: AwsClients
    table: str
    scoped_key: str
    claim_id: str
    started_at: int
    settled: bool = False

    def _key(self) -> dict[str, str]:
        return {KEY_ATTRIBUTE: self.scoped_key}

    async def settle(
        self, status: int | None, headers: Iterable[tuple[bytes, bytes]] = (), body: bytes = b""
    ) -> None:
        """Store a final answer (2xx, 4xx), or release the key (5xx, or no answer: None).

        Never raises: the answer goes out whatever the table says. If the answer cannot be
        stored, the claim stays until its lease ends, and retries meanwhile answer 409.
        """
        self.settled = True
        try:
            if status is not None and status < 500:
                await self._store(status, headers, body)
            else:
                await dynamo.delete_item(
                    self.clients,
                    table=self.table,
                    key=self._key(),
                    only_if="claimId = :claim",
                    condition_values={":claim": self.claim_id},
                )
        except (AwsError, errors.ServiceUnavailable) as exc:
            logger.warning(
                "idempotency claim not settled", extra={"status": status, "error": str(exc)}
            )

    async def _store(
        self, status: int, headers: Iterable[tuple[bytes, bytes]], body: bytes
    ) -> None:
        kept = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in headers
            if name.lower() in KEPT_HEADERS
        }
        stored = await dynamo.update_item(
            self.clients,
            table=self.table,
            key=self._key(),
            values={
                "claimId": self.claim_id,
                "phase": DONE,
                "status": status,
                "headers": kept,
                "body": zlib.compress(body),
                "expiresAt": self.started_at + TTL_SECONDS,
            },
            only_if="#f0 = :claim",
            condition_values={":claim": self.claim_id},
        )
        if stored is None:
            logger.warning("idempotency claim lost before its answer was stored")


class _Slot(msgspec.Struct):
    """Where begin leaves the claim for the middleware, in the request's scope."""

    claim: Claim | None = None


def _replay(found: dict[str, Any]) -> Response:
    headers = {**found.get("headers", {}), REPLAYED_HEADER: "true"}
    return Response(zlib.decompress(found["body"]), status_code=found["status"], headers=headers)


async def begin(
    request: Request,
    *,
    resources: Resources,
    operation_id: str,
    principal: Principal | None,
    key: str,
) -> None:
    """Claim key for this request, or raise the answer it gets instead of running.

    Raises Replayed (the stored answer), IdempotencyKeyReused, IdempotencyKeyInUse, or
    ServiceUnavailable when the table cannot be reached.
    """
    slot = request.scope.get("state", {}).get(_SLOT)
    if not isinstance(slot, _Slot):
        raise RuntimeError("Idempotency-Key needs IdempotencyMiddleware around the routes")
    client_address = request.client.host if request.client else "unknown"
    item_key = scoped_key(caller_scope(principal, client_address), key)
    fingerprint = _digest(
        operation_id,
        request.method,
        request.url.path,
        request.url.query,
        await request.body(),
    )
    clients, settings = resources.aws, resources.settings
    table = settings.idempotency_table
    for _ in range(_CLAIM_ATTEMPTS):
        now = int(time.time())
        claim = Claim(
            clients=clients,
            table=table,
            scoped_key=item_key,
            claim_id=uuid.uuid4().hex,
            started_at=now,
        )
        try:
            await dynamo.put_item(
                clients,
                table=table,
                item={
                    KEY_ATTRIBUTE: item_key,
                    "claimId": claim.claim_id,
                    "phase": RUNNING,
                    "fingerprint": fingerprint,
                    "operationId": operation_id,
                    "startedAt": now,
                    "expiresAt": now + settings.idempotency_lease_seconds,
                },
                new_key=KEY_ATTRIBUTE,
            )
        except AwsError as exc:
            if not exc.condition_failed:
                raise
        else:
            slot.claim = claim
            return
        found = await dynamo.get_item(clients, table=table, key={KEY_ATTRIBUTE: item_key})
        if found is None:
            continue  # released meanwhile
        if found["expiresAt"] <= now:
            # A lease that ended (its request died) or an answer past its 24 hours that the TTL
            # has not removed yet: gone, whoever removes it; then claim again.
            await dynamo.delete_item(
                clients,
                table=table,
                key={KEY_ATTRIBUTE: item_key},
                only_if="claimId = :claim",
                condition_values={":claim": found["claimId"]},
            )
            continue
        if found["fingerprint"] != fingerprint:
            raise errors.IdempotencyKeyReused()
        if found["phase"] != DONE:
            break
        raise Replayed(_replay(found))
    raise errors.IdempotencyKeyInUse(headers={"Retry-After": str(IN_USE_RETRY_AFTER_SECONDS)})


async def _replayed_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replayed)
    return exc.response


def _has_key(scope: Scope) -> bool:
    return any(name == _HEADER_NAME for name, _ in scope["headers"])


class IdempotencyMiddleware:
    """Settles the claim that begin made with the answer the app sends, before it leaves.

    Only a POST that carries the header gets a slot; every other request passes untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not _has_key(scope):
            await self.app(scope, receive, send)
            return
        slot = _Slot()
        scope.setdefault("state", {})[_SLOT] = slot
        start: Message | None = None
        body = bytearray()

        async def settle_then_send(message: Message) -> None:
            nonlocal start
            claim = slot.claim
            if claim is None or claim.settled:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            await claim.settle(start["status"], start.get("headers", ()), bytes(body))
            await send(start)
            await send({"type": "http.response.body", "body": bytes(body)})

        try:
            await self.app(scope, receive, settle_then_send)
        finally:
            if slot.claim is not None and not slot.claim.settled:
                await slot.claim.settle(None)


def install(app: FastAPI) -> None:
    """Answer a replay with its stored response, and settle claims with the answers sent.

    Call it before adding the other middleware: the settling sits innermost, so what it stores
    is exactly what the routes answered.
    """
    app.add_exception_handler(Replayed, _replayed_handler)
    app.add_middleware(IdempotencyMiddleware)
