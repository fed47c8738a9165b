"""Authorization: the Authorizer and what services authorize with (see authorizer.py).

The policy host is app.platform.authz.opa; it imports wasmtime, so it is imported only where a
policy is loaded.
"""

from app.platform.authz.authorizer import (
    ENTRYPOINT,
    Authorizer,
    Caller,
    Decision,
    MalformedDecision,
    PolicyEngine,
    Principal,
    Resource,
    decision_from,
)

__all__ = [
    "ENTRYPOINT",
    "Authorizer",
    "Caller",
    "Decision",
    "MalformedDecision",
    "PolicyEngine",
    "Principal",
    "Resource",
    "decision_from",
]
