"""Every AWS call goes through here: off the event loop, with botocore errors translated.

Throttling, 5xx answers (after botocore's own retries), timeouts and unreachable endpoints become
ServiceUnavailable (503 with Retry-After). Other client errors become AwsError, which carries the
error code only, so no botocore type travels upward.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from app import errors

P = ParamSpec("P")
T = TypeVar("T")
logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 2
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "SlowDown",
        "RequestThrottled",
        "PriorRequestNotComplete",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
    }
)


class AwsError(Exception):
    """An AWS answer the caller may handle (a missing key, a failed condition)."""

    def __init__(self, *, code: str, status: int, message: str) -> None:
        self.code = code
        self.status = status
        super().__init__(f"{code} ({status}): {message}")

    @property
    def not_found(self) -> bool:
        return self.status == 404 or self.code in {"NoSuchKey", "NotFound", "404"}

    @property
    def condition_failed(self) -> bool:
        return self.code in {"ConditionalCheckFailedException", "PreconditionFailed"}


def unavailable(reason: str) -> errors.ServiceUnavailable:
    logger.warning("AWS unavailable", extra={"reason": reason})
    return errors.ServiceUnavailable(headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def translate(exc: Exception) -> Exception:
    """The exception to raise instead of exc; exc itself when it is not botocore's."""
    from botocore import exceptions as bx  # already loaded: a client raised it

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if code in THROTTLING_CODES or status >= 500:
            return unavailable(f"{code} ({status})")
        return AwsError(code=code, status=status, message=str(error.get("Message", "")))
    if isinstance(exc, bx.ConnectionError | bx.HTTPClientError | bx.NoCredentialsError):
        return unavailable(type(exc).__name__)
    if isinstance(exc, bx.BotoCoreError):
        return AwsError(code=type(exc).__name__, status=0, message=str(exc))
    return exc


async def call(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking boto3 call in a worker thread and translate its failure."""
    try:
        return await asyncio.to_thread(fn, *args, **kwargs)
    except Exception as exc:
        translated = translate(exc)
        if translated is exc:
            raise
        raise translated from exc
