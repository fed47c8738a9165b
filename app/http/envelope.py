"""Renders every failure as the contract's error envelope."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from functools import cache
from typing import Any, Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from app import errors
from app.platform.logging import trace_id_var

logger = logging.getLogger("app.errors")

# Pydantic error types that mean "the body is not JSON" rather than "the JSON is wrong".
_UNREADABLE = {"json_invalid"}
_IF_MATCH = ("header", "If-Match")


def error_response(error: errors.AppError, *, trace_id: str | None = None) -> JSONResponse:
    trace_id = trace_id or trace_id_var.get() or ""
    body = {
        "success": False,
        "data": None,
        "error": {
            "code": error.code,
            "message": error.message,
            "details": [
                {"location": d.location, "message": d.message, "type": d.type}
                for d in error.details
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
    if any(
        item.get("type") == "missing" and tuple(item.get("loc", ())) == _IF_MATCH for item in raw
    ):
        return error_response(errors.PreconditionRequired(), trace_id=_trace_id(request))
    error = errors.ValidationFailed(details=problems_from_validation(raw))
    return error_response(error, trace_id=_trace_id(request))


@cache
def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")


class Operation(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def path(self) -> str: ...


def _allowed_methods(operations: Iterable[Operation], path: str) -> str:
    """Every method the contract has for path (Starlette names only the first matching route)."""
    methods = {spec.method for spec in operations if _template(spec.path).match(path)}
    return ", ".join(sorted(methods))


def http_error_handler(
    operations: Iterable[Operation],
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        fallback = errors.BadRequest if exc.status_code < 500 else errors.AppError
        kind = errors.BY_STATUS.get(exc.status_code, fallback)
        headers = dict(exc.headers or {})
        if exc.status_code == 405 and (allowed := _allowed_methods(operations, request.url.path)):
            headers["Allow"] = allowed
        error = errors.AppError(kind.default_message, headers=headers)
        error.status_code, error.code = exc.status_code, kind.code
        return error_response(error, trace_id=_trace_id(request))

    return handle


async def unhandled_error_handler(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error", exc_info=exc)
    return error_response(errors.AppError(), trace_id=_trace_id(request))


def install(app: FastAPI, *, operations: Mapping[str, Operation]) -> None:
    """Render every failure as the envelope; operations name each path's methods for 405."""
    app.add_exception_handler(errors.AppError, app_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(HTTPException, http_error_handler(list(operations.values())))
    app.add_exception_handler(Exception, unhandled_error_handler)
