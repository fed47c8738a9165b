"""The one typed dependency of every generated route: who is calling, and the unit of work."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Awaitable, Callable
from functools import cache, cached_property
from typing import Concatenate, ParamSpec, TypeVar

from fastapi import Request, Response

from app import errors
from app.http import idempotency
from app.http.state import resources_of
from app.platform.authz import Caller, Decision, Principal
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.resources import Resources
from app.sessions import bearer

P = ParamSpec("P")
T = TypeVar("T")
H = TypeVar("H", bound=Callable[..., Awaitable[object]])

_WITHOUT_DATABASE = "__without_database__"

_JSON_TYPES = ("application/json",)


class Auth(enum.Enum):
    """What the contract's security requirement says about credentials."""

    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


class RequestContext:
    """What a handler knows about its request beyond the contract's parameters."""

    def __init__(
        self,
        *,
        operation_id: str,
        resources: Resources,
        principal: Principal | None,
        request: Request,
        response: Response,
        decision: Decision,
    ) -> None:
        self.operation_id = operation_id
        self.request = request
        self.resources = resources
        self.principal = principal
        self.response = response
        self.decision = decision
        self.caller = Caller(
            operation=operation_id, principal=principal, authorizer=resources.authorizer
        )
        self._uow: UnitOfWork | None = None

    @cached_property
    def request_id(self) -> uuid.UUID:
        """Unique to this request and the same in every attempt of its transaction."""
        return uuid.uuid4()

    @property
    def uow(self) -> UnitOfWork:
        """This attempt's unit of work: the transaction's session and its after-commit work."""
        if self._uow is None:
            raise RuntimeError("the unit of work exists only inside RequestContext.run")
        return self._uow

    def require_principal(self) -> Principal:
        return self.caller.require_principal()

    @property
    def client_ip(self) -> str:
        """The client's address as the rate limits count it (ClientAddressMiddleware)."""
        return client_ip(self.request)

    async def run(
        self,
        handler: Callable[Concatenate[RequestContext, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run the handler in one transaction that the infrastructure commits or retries.

        A handler marked without_database runs as it is, with no unit of work to use.
        """
        if getattr(handler, _WITHOUT_DATABASE, False):
            return await handler(self, *args, **kwargs)

        async def attempt(uow: UnitOfWork) -> T:
            self._uow = uow
            try:
                return await handler(self, *args, **kwargs)
            finally:
                self._uow = None

        return await self.resources.database.transaction(attempt, request_id=self.request_id)

    async def run_idempotent(
        self,
        key: str | None,
        handler: Callable[Concatenate[RequestContext, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """As run, once per Idempotency-Key: with a key, claim it first (app/http/idempotency.py).

        A repeated key answers with the stored first answer, 422 or 409 instead of running.
        """
        if key is not None:
            await idempotency.begin(
                self.request,
                resources=self.resources,
                operation_id=self.operation_id,
                principal=self.principal,
                key=key,
            )
        return await self.run(handler, *args, **kwargs)


def without_database(handler: H) -> H:
    """Mark a handler that never uses the database, so its requests open no transaction.

    The readiness check is one: it must answer without loading the database layer at all.
    """
    setattr(handler, _WITHOUT_DATABASE, True)
    return handler


def _check_media_type(request: Request) -> None:
    route = request.scope.get("route")
    if getattr(route, "body_field", None) is None:
        return
    has_body = (
        request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    )
    if not has_body:
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _JSON_TYPES and not media_type.endswith("+json"):
        raise errors.UnsupportedMediaType()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthenticated("Send the token as 'Authorization: Bearer <token>'.")
    return token.strip()


@cache
def operation_context(
    operation_id: str, auth: Auth
) -> Callable[[Request, Response], Awaitable[RequestContext]]:
    """The dependency for one operation: credentials, the operation-level decision, media type."""

    async def dependency(request: Request, response: Response) -> RequestContext:
        resources = resources_of(request)
        principal = None
        if auth is not Auth.NONE:
            token = _bearer_token(request)
            if token is not None:
                principal = await bearer.authenticate(resources=resources, token=token)
            elif auth is Auth.REQUIRED:
                raise errors.Unauthenticated()
        decision = resources.authorizer.require(operation=operation_id, principal=principal)
        await resources.rate_limits.before_operation(
            operation_id, client_ip=client_ip(request), principal=principal
        )
        _check_media_type(request)
        return RequestContext(
            operation_id=operation_id,
            resources=resources,
            principal=principal,
            request=request,
            response=response,
            decision=decision,
        )

    return dependency
