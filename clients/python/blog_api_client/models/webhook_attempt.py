from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="WebhookAttempt")


@_attrs_define
class WebhookAttempt:
    """
    Attributes:
        attempted_at (datetime.datetime):
        status_code (int | None): The receiver's status; null when no answer came (see `error`).
        error (None | str): Why the attempt got no answer, or why it was not sent.
        duration_ms (int):
        response_body (None | str): The start of the receiver's answer, at most 1 KiB of it, as UTF-8 (bytes that are
            not, and NUL, shown as U+FFFD).
    """

    attempted_at: datetime.datetime
    status_code: int | None
    error: None | str
    duration_ms: int
    response_body: None | str

    def to_dict(self) -> dict[str, Any]:
        attempted_at = self.attempted_at.isoformat()

        status_code: int | None
        status_code = self.status_code

        error: None | str
        error = self.error

        duration_ms = self.duration_ms

        response_body: None | str
        response_body = self.response_body

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attemptedAt": attempted_at,
                "statusCode": status_code,
                "error": error,
                "durationMs": duration_ms,
                "responseBody": response_body,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempted_at = datetime.datetime.fromisoformat(d.pop("attemptedAt"))

        def _parse_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status_code = _parse_status_code(d.pop("statusCode"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        duration_ms = d.pop("durationMs")

        def _parse_response_body(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        response_body = _parse_response_body(d.pop("responseBody"))

        webhook_attempt = cls(
            attempted_at=attempted_at,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
            response_body=response_body,
        )

        return webhook_attempt
