"""Which answers must never be stored: `Cache-Control: no-store` (SecurityHeadersMiddleware);
and which paths hold a secret, so that the access log names their route, not the path.

The contract marks what is secret or personal with `x-sensitive: true` (an email, a password, a
token, a user's account or sessions); an operation whose request or response reaches such a
schema or parameter answers with no-store. The set is written out here rather than derived from
the document at start-up (reading it costs a YAML parse on the cold start), and
tests/http/test_headers.py derives it from the contract and checks it is this one. The same goes
for SECRET_PATHS: the paths with a parameter marked `x-sensitive: true` (a reset token).
"""

from __future__ import annotations

from app.http.methods import path_pattern

NO_STORE_OPERATIONS = frozenset(
    {
        "registerUser",
        "getCurrentUser",
        "updateCurrentUser",
        "createSession",
        "listSessions",
        "requestPasswordReset",
        "confirmPasswordReset",
        "createWebhook",
        "rotateWebhookSecret",
    }
)


# Path templates whose parameter is a secret: the access log writes the template instead of the
# path (TraceMiddleware), whatever answered the request and whether or not it was routed.
SECRET_PATHS = frozenset({"/v1/password-resets/{token}"})
_SECRET_PATTERNS = tuple((path_pattern(template), template) for template in sorted(SECRET_PATHS))


def no_store(operation_id: str | None) -> bool:
    return operation_id in NO_STORE_OPERATIONS


def loggable_path(path: str) -> str:
    """The path as the access log writes it: its template when the path holds a secret."""
    for pattern, template in _SECRET_PATTERNS:
        if pattern.match(path):
            return template
    return path
