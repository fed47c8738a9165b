"""The one error hierarchy. Each error knows its HTTP status and its contract error code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgspec


class FieldProblem(msgspec.Struct, frozen=True):
    location: str
    message: str
    type: str


class AppError(Exception):
    """An expected failure, rendered as the error envelope."""

    status_code = 500
    code = "INTERNAL_ERROR"
    default_message = "Internal server error."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Sequence[FieldProblem] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details = tuple(details)
        self.headers = dict(headers or {})
        super().__init__(self.message)


class BadRequest(AppError):
    """The request cannot be read (malformed JSON)."""

    status_code, code, default_message = 400, "BAD_REQUEST", "The request body is not valid JSON."


class InvalidCursor(AppError):
    """A pagination cursor was altered or reused with other filters."""

    status_code, code, default_message = 400, "INVALID_CURSOR", "The cursor is not valid."


class Unauthenticated(AppError):
    """No usable credentials."""

    status_code, code, default_message = 401, "UNAUTHENTICATED", "Authentication required."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"WWW-Authenticate": 'Bearer realm="blog"'})


class InvalidCredentials(AppError):
    """Login failed; the same answer for an unknown email and a wrong password."""

    status_code, code, default_message = 401, "INVALID_CREDENTIALS", "Wrong email or password."

    def __init__(self) -> None:
        super().__init__(headers={"WWW-Authenticate": 'Bearer realm="blog"'})


class Forbidden(AppError):
    """Authenticated, but not allowed."""

    status_code, code, default_message = 403, "FORBIDDEN", "You are not allowed to do this."


class NotFound(AppError):
    """The resource does not exist for this caller."""

    status_code, code, default_message = 404, "NOT_FOUND", "Not found."

    @classmethod
    def of(cls, resource_type: str) -> NotFound:
        """The one answer for a resource of this type (`post`, `session`, ...) that does not
        exist for the caller, whether it is missing or hidden from them: the two must not be
        told apart (docs/spec.md, Roles)."""
        return cls(f"{resource_type.capitalize()} not found.")


class MethodNotAllowed(AppError):
    status_code, code, default_message = 405, "METHOD_NOT_ALLOWED", "Method not allowed."


class Conflict(AppError):
    """A unique field is taken, or the resource is still in use."""

    status_code, code, default_message = 409, "CONFLICT", "Conflict."


class TooManyPendingUploads(AppError):
    """Too many uploads in progress on the post or by the user; the headers say when the oldest
    one's form expires."""

    status_code, code = 409, "TOO_MANY_PENDING_UPLOADS"
    default_message = "Too many uploads in progress; complete or delete one, or wait."


class IdempotencyKeyInUse(AppError):
    """A request with the same Idempotency-Key is still in flight; the headers say when to retry."""

    status_code, code = 409, "IDEMPOTENCY_KEY_IN_USE"
    default_message = (
        "A request with this Idempotency-Key is still in progress; retry after Retry-After seconds."
    )


class PreconditionFailed(AppError):
    status_code, code = 412, "PRECONDITION_FAILED"
    default_message = "The resource changed since it was read; read it again."


class PayloadTooLarge(AppError):
    status_code, code, default_message = 413, "PAYLOAD_TOO_LARGE", "The request body is too large."


class UnsupportedMediaType(AppError):
    status_code, code = 415, "UNSUPPORTED_MEDIA_TYPE"
    default_message = "Send the request body as application/json."


class ValidationFailed(AppError):
    status_code, code, default_message = 422, "VALIDATION_ERROR", "The request is not valid."


class IdempotencyKeyReused(AppError):
    """The Idempotency-Key was first used with another body, operation or path."""

    status_code, code = 422, "IDEMPOTENCY_KEY_REUSED"
    default_message = "This Idempotency-Key was used with a different request; send a new key."


class PreconditionRequired(AppError):
    status_code, code = 428, "PRECONDITION_REQUIRED"
    default_message = "Send If-Match with the ETag of your last read."


class RateLimited(AppError):
    """Over a rate limit; the headers say how long to wait."""

    status_code, code = 429, "RATE_LIMITED"
    default_message = "Too many requests; retry after the number of seconds in Retry-After."


class NotImplementedYet(AppError):
    """An operation of the contract that is not served yet."""

    status_code, code = 501, "NOT_IMPLEMENTED"
    default_message = "This operation is part of the contract but not served yet."


class ServiceUnavailable(AppError):
    status_code, code = 503, "SERVICE_UNAVAILABLE"
    default_message = "A dependency is unavailable; retry later."


BY_STATUS: dict[int, type[AppError]] = {
    cls.status_code: cls
    for cls in (
        BadRequest,
        Unauthenticated,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PreconditionFailed,
        PayloadTooLarge,
        UnsupportedMediaType,
        ValidationFailed,
        PreconditionRequired,
        RateLimited,
        NotImplementedYet,
        ServiceUnavailable,
    )
}
