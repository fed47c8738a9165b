"""Authorization: one decision per (operation, subject, resource), made by a policy engine.

The input document and the decision follow docs/opa.md; the engine is swappable.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from app.core import errors


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller and the session it presented."""

    user_id: uuid.UUID
    role: str
    session_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Resource:
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


@dataclass(frozen=True, slots=True)
class Decision:
    allow: bool
    hide: bool = False
    reason: str = ""
    visibility: str | None = None


class PolicyEngine(Protocol):
    def evaluate(self, input: Mapping[str, Any]) -> dict[str, Any]: ...


def subject_input(principal: Principal | None) -> dict[str, Any]:
    if principal is None:
        return {"id": None, "role": None, "authenticated": False}
    return {"id": str(principal.user_id), "role": principal.role, "authenticated": True}


class Authorizer:
    """Asks the policy engine and turns a deny into the right error."""

    def __init__(self, engine: PolicyEngine) -> None:
        self.engine = engine

    def decide(
        self, *, operation: str, principal: Principal | None, resource: Resource | None = None
    ) -> Decision:
        result = self.engine.evaluate(
            {
                "operation": operation,
                "subject": subject_input(principal),
                "resource": resource.as_input() if resource else None,
                # Whole minutes: no rule needs finer time, and identical inputs hit the memo.
                "now": datetime.now(UTC).replace(second=0, microsecond=0).isoformat(),
            }
        )
        return Decision(
            allow=bool(result.get("allow")),
            hide=bool(result.get("hide")),
            reason=str(result.get("reason", "")),
            visibility=result.get("visibility"),
        )

    def require(
        self, *, operation: str, principal: Principal | None, resource: Resource | None = None
    ) -> Decision:
        """The decision when allowed; otherwise raise 404 (hidden), 401 (anonymous) or 403."""
        decision = self.decide(operation=operation, principal=principal, resource=resource)
        if decision.allow:
            return decision
        if decision.hide:
            raise errors.NotFound()
        if principal is None:
            raise errors.Unauthenticated()
        raise errors.Forbidden()
