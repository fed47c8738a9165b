from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.category_webhook_event_type import CategoryWebhookEventType, check_category_webhook_event_type

if TYPE_CHECKING:
    from ..models.category import Category


T = TypeVar("T", bound="CategoryWebhookEvent")


@_attrs_define
class CategoryWebhookEvent:
    """The body of a category event's delivery.

    Attributes:
        type_ (CategoryWebhookEventType):
        timestamp (datetime.datetime): When the event happened (the same in every attempt).
        data (Category):
    """

    type_: CategoryWebhookEventType
    timestamp: datetime.datetime
    data: Category

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
        from ..models.category import Category  # noqa: PLC0415

        d = dict(src_dict)
        type_ = check_category_webhook_event_type(d.pop("type"))

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        data = Category.from_dict(d.pop("data"))

        category_webhook_event = cls(
            type_=type_,
            timestamp=timestamp,
            data=data,
        )

        return category_webhook_event
