from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.post_webhook_event_type import PostWebhookEventType, check_post_webhook_event_type

if TYPE_CHECKING:
    from ..models.post_event_data import PostEventData


T = TypeVar("T", bound="PostWebhookEvent")


@_attrs_define
class PostWebhookEvent:
    """The body of a post event's delivery.

    Attributes:
        type_ (PostWebhookEventType):
        timestamp (datetime.datetime): When the event happened (the same in every attempt).
        data (PostEventData): A post as webhook payloads carry it (without its body).
    """

    type_: PostWebhookEventType
    timestamp: datetime.datetime
    data: PostEventData

    def to_dict(self) -> dict[str, Any]:
        type_: str = self.type_

        timestamp = self.timestamp.isoformat()

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "timestamp": timestamp,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.post_event_data import PostEventData  # noqa: PLC0415

        d = dict(src_dict)
        type_ = check_post_webhook_event_type(d.pop("type"))

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        data = PostEventData.from_dict(d.pop("data"))

        post_webhook_event = cls(
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        return post_webhook_event
