"""Renders every failure as the contract's error envelope."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from app import errors
from app.http.idempotency import HEADER as IDEMPOTENCY_HEADER
from app.http.methods import AllowedMethods
from app.platform.logging import trace_id_var

logger = logging.getLogger("app.errors")

# Pydantic error types that mean "the body is not JSON" rather than "the JSON is wrong".
_UNREADABLE = {"json_invalid"}
_IF_MATCH = ("header", "If-Match")
_IDEMPOTENCY_KEY = ("header", IDEMPOTENCY_HEADER)

# The contract's bounds on an error (ErrorEnvelope in docs/spec.md; tests/http/test_envelope.py
# checks they are these). A body may name any number of unknown fields, each with a name of its
# own: the answer lists the first problems, each cut to size, however large the request was.
MAX_DETAILS = 100
MAX_MESSAGE = 1024
MAX_LOCATION = 512
MAX_TYPE = 128


def error_response(error: errors.AppError, *, trace_id: str | None = None) -> JSONResponse:
    trace_id = trace_id or trace_id_var.get() or ""
    body = {
        "success": False,
        "data": None,
        "error": {
            "code": error.code,
            "message": error.message[:MAX_MESSAGE],
            "details": [
                {
                    "location": d.location[:MAX_LOCATION],
                    "message": d.message[:MAX_MESSAGE],
                    "type": d.type[:MAX_TYPE],
                }
                for d in error.details[:MAX_DETAILS]
            ],
            "traceId": trace_id,
        },
    }
    # Set here too: a 500 is sent by Starlette's outermost middleware, past the trace middleware.
    headers = {**error.headers, "X-Trace-Id": trace_id}
    return JSONResponse(body, status_code=error.status_code, headers=headers)


def _location(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


def problems_from_validation(raw: Sequence[Mapping[str, Any]]) -> list[errors.FieldProblem]:
    return [
        errors.FieldProblem(
            location=_location(item.get("loc", ())),
            message=str(item.get("msg", "")),
            type=str(item.get("type", "")),
        )
        for item in raw
    ]


def _trace_id(request: Request) -> str | None:
    return getattr(request.state, "trace_id", None)


async def app_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.AppError)
    return error_response(exc, trace_id=_trace_id(request))


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(item.get("type") in _UNREADABLE for item in raw):
        return error_response(errors.BadRequest(), trace_id=_trace_id(request))
    malformed_key = [item for item in raw if tuple(item.get("loc", ())) == _IDEMPOTENCY_KEY]
    if malformed_key:
        bad_key = errors.BadRequest(
            f"The {IDEMPOTENCY_HEADER} header is malformed.",
            details=problems_from_validation(malformed_key),
        )
        return error_response(bad_key, trace_id=_trace_id(request))
    if any(
        item.get("type") == "missing" and tuple(item.get("loc", ())) == _IF_MATCH for item in raw
    ):
        return error_response(errors.PreconditionRequired(), trace_id=_trace_id(request))
    error = errors.ValidationFailed(details=problems_from_validation(raw))
    return error_response(error, trace_id=_trace_id(request))


def http_error_handler(
    allowed: AllowedMethods,
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        fallback = errors.BadRequest if exc.status_code < 500 else errors.AppError
        kind = errors.BY_STATUS.get(exc.status_code, fallback)
        headers = dict(exc.headers or {})
        # Every method the contract has for the path: Starlette names only the first route's.
        if exc.status_code == 405 and (allow := allowed.allow(request.url.path)):
            headers["Allow"] = allow
        error = errors.AppError(kind.default_message, headers=headers)
        error.status_code, error.code = exc.status_code, kind.code
        return error_response(error, trace_id=_trace_id(request))

    return handle


async def unhandled_error_handler(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error", exc_info=exc)
    return error_response(errors.AppError(), trace_id=_trace_id(request))


def install(app: FastAPI, *, allowed: AllowedMethods) -> None:
    """Render every failure as the envelope; allowed names each path's methods for 405."""
    app.add_exception_handler(errors.AppError, app_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(HTTPException, http_error_handler(allowed))
    app.add_exception_handler(Exception, unhandled_error_handler)
