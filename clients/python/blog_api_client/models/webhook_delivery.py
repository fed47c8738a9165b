from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.webhook_delivery_status import WebhookDeliveryStatus, check_webhook_delivery_status
from ..models.webhook_event_type import WebhookEventType, check_webhook_event_type
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.webhook_attempt import WebhookAttempt


T = TypeVar("T", bound="WebhookDelivery")


@_attrs_define
class WebhookDelivery:
    """
    Attributes:
        id (UUID):
        event_id (UUID): The `webhook-id` header of every attempt; receivers deduplicate on it.
        event_type (WebhookEventType): What happened; a subscription names the types it receives.
        status (WebhookDeliveryStatus): `pending` until an attempt gets a 2xx (`succeeded`) or the retries of 24 hours
            are spent (`failed`).
        attempts (int): Attempts in the current series (a redelivery starts a new one).
        last_status_code (int | None):
        next_attempt_at (datetime.datetime | None): When the next attempt is due; null once the delivery succeeded or
            failed.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        attempt_log (list[WebhookAttempt] | Unset): The latest attempts, newest first.
    """

    id: UUID
    event_id: UUID
    event_type: WebhookEventType
    status: WebhookDeliveryStatus
    attempts: int
    last_status_code: int | None
    next_attempt_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    attempt_log: list[WebhookAttempt] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        event_id = str(self.event_id)

        event_type: str = self.event_type

        status: str = self.status

        attempts = self.attempts

        last_status_code: int | None
        last_status_code = self.last_status_code

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        attempt_log: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.attempt_log, Unset):
            attempt_log = []
            for attempt_log_item_data in self.attempt_log:
                attempt_log_item = attempt_log_item_data.to_dict()
                attempt_log.append(attempt_log_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "eventId": event_id,
                "eventType": event_type,
                "status": status,
                "attempts": attempts,
                "lastStatusCode": last_status_code,
                "nextAttemptAt": next_attempt_at,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )
        if attempt_log is not UNSET:
            field_dict["attemptLog"] = attempt_log

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.webhook_attempt import WebhookAttempt  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        event_id = UUID(d.pop("eventId"))

        event_type = check_webhook_event_type(d.pop("eventType"))

        status = check_webhook_delivery_status(d.pop("status"))

        attempts = d.pop("attempts")

        def _parse_last_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status_code = _parse_last_status_code(d.pop("lastStatusCode"))

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("nextAttemptAt"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        _attempt_log = d.pop("attemptLog", UNSET)
        attempt_log: list[WebhookAttempt] | Unset = UNSET
        if _attempt_log is not UNSET:
            attempt_log = []
            for attempt_log_item_data in _attempt_log:
                attempt_log_item = WebhookAttempt.from_dict(attempt_log_item_data)

                attempt_log.append(attempt_log_item)

        webhook_delivery = cls(
            id=id,
            event_id=event_id,
            event_type=event_type,
            status=status,
            attempts=attempts,
            last_status_code=last_status_code,
            next_attempt_at=next_attempt_at,
            created_at=created_at,
            updated_at=updated_at,
            attempt_log=attempt_log,
        )

        return webhook_delivery
