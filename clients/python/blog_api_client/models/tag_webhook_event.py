from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.tag_webhook_event_type import TagWebhookEventType, check_tag_webhook_event_type

if TYPE_CHECKING:
    from ..models.tag import Tag


T = TypeVar("T", bound="TagWebhookEvent")


@_attrs_define
class TagWebhookEvent:
    """The body of a tag event's delivery.

    Attributes:
        type_ (TagWebhookEventType):
        timestamp (datetime.datetime): When the event happened (the same in every attempt).
        data (Tag):
    """

    type_: TagWebhookEventType
    timestamp: datetime.datetime
    data: Tag

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
        from ..models.tag import Tag  # noqa: PLC0415

        d = dict(src_dict)
        type_ = check_tag_webhook_event_type(d.pop("type"))

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        data = Tag.from_dict(d.pop("data"))

        tag_webhook_event = cls(
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        return tag_webhook_event
