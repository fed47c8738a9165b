"""The Authorizer: one decision per (operation, subject, resource), asked of a policy engine.

The input document and the decision follow docs/opa.md. The engine is anything that evaluates
an entrypoint (app.platform.authz.opa in the app); the entrypoint, the decision format and the
only memo are here.
"""

from __future__ import annotations

import functools
import time
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec

from app import errors


class Principal(msgspec.Struct, frozen=True):
    """The authenticated caller and the session it presented."""

    user_id: uuid.UUID
    role: str
    session_id: uuid.UUID


class Resource(msgspec.Struct, frozen=True):
    """The facts about a loaded resource that rules need."""

    type: str
    owner_id: uuid.UUID | None
    status: str | None = None

    def as_input(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "ownerId": str(self.owner_id) if self.owner_id else None,
            "status": self.status,
        }


class Decision(msgspec.Struct, frozen=True):
    allow: bool
    hide: bool = False
    reason: str = ""
    visibility: str | None = None


ENTRYPOINT = "blog/authz/decision"


class PolicyEngine(Protocol):
    def eval(self, entrypoint: str, input: Any) -> Any:
        """The entrypoint's value for this input; None when it is undefined."""
        ...


class MalformedDecision(Exception):
    """The policy answered something that is not a decision: a policy bug, not a deny."""


def decision_from(value: Any) -> Decision:
    """The Decision in the entrypoint's value; an undefined decision (None) denies."""
    if value is None:
        return Decision(allow=False, reason="undefined decision")
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("allow"), bool)
        or not isinstance(value.get("hide"), bool)
        or not isinstance(value.get("reason"), str)
        or not isinstance(value.get("visibility", ""), str)
    ):
        raise MalformedDecision(f"policy returned a malformed decision: {value!r}")
    return Decision(
        allow=value["allow"],
        hide=value["hide"],
        reason=value["reason"],
        visibility=value.get("visibility"),
    )


def _subject_input(subject: tuple[uuid.UUID, str] | None) -> dict[str, Any]:
    """The input's subject for an anonymous caller (None) or a (user id, role) pair."""
    if subject is None:
        return {"id": None, "role": None, "authenticated": False}
    user_id, role = subject
    return {"id": str(user_id), "role": role, "authenticated": True}


class Authorizer:
    """Asks the policy engine and turns a deny into the right error.

    Decisions are memoized on the typed inputs, which skips building and encoding the input
    document on the hot paths (a cached read asks once per request). The clock enters the key in
    whole minutes, as it enters the input: no rule needs finer time.
    """

    def __init__(self, engine: PolicyEngine, *, memo_size: int = 4096) -> None:
        self.engine = engine
        self._decide = functools.lru_cache(maxsize=memo_size)(self._evaluate)

    def decide(
        self, *, operation: str, principal: Principal | None, resource: Resource | None = None
    ) -> Decision:
        subject = None if principal is None else (principal.user_id, principal.role)
        return self._decide(operation, subject, resource, int(time.time()) // 60)

    def _evaluate(
        self,
        operation: str,
        subject: tuple[uuid.UUID, str] | None,
        resource: Resource | None,
        minute: int,
    ) -> Decision:
        input_doc = {
            "operation": operation,
            "subject": _subject_input(subject),
            "resource": resource.as_input() if resource else None,
            "now": datetime.fromtimestamp(minute * 60, UTC).isoformat(),
        }
        return decision_from(self.engine.eval(ENTRYPOINT, input_doc))

    def require(
        self, *, operation: str, principal: Principal | None, resource: Resource | None = None
    ) -> Decision:
        """The decision when allowed; otherwise raise 404 (hidden), 401 (anonymous) or 403.

        A hidden resource answers exactly as a missing one of its type does.
        """
        decision = self.decide(operation=operation, principal=principal, resource=resource)
        if decision.allow:
            return decision
        if decision.hide:
            raise errors.NotFound.of(resource.type) if resource else errors.NotFound()
        if principal is None:
            raise errors.Unauthenticated()
        raise errors.Forbidden()


class Caller(msgspec.Struct, frozen=True):
    """Who asks for an operation, and the policy that answers: what services authorize with.

    The operation-level decision is made before the handler runs; a service asks again with the
    facts of the resource it loaded.
    """

    operation: str
    principal: Principal | None
    authorizer: Authorizer

    def require(self, resource: Resource, *, operation: str | None = None) -> Decision:
        """The decision for this resource; 404 when hidden, 401 when anonymous, else 403."""
        return self.authorizer.require(
            operation=operation or self.operation, principal=self.principal, resource=resource
        )

    def allows(self, resource: Resource, *, operation: str | None = None) -> bool:
        """Whether the policy allows this operation on the resource; never raises: for what a
        service shows differently to those allowed."""
        decision = self.authorizer.decide(
            operation=operation or self.operation, principal=self.principal, resource=resource
        )
        return decision.allow

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise errors.Unauthenticated()
        return self.principal
