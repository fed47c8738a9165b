from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.webhook_event_type import WebhookEventType, check_webhook_event_type
from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookUpdate")


@_attrs_define
class WebhookUpdate:
    """
    Attributes:
        url (str | Unset): Where deliveries are posted: an `https` URL whose host does not resolve to a loopback,
            private, link-local, shared (CGNAT), multicast, reserved or cloud metadata address (422 otherwise; checked again
            before each delivery). Redirects are not followed.
        event_types (list[WebhookEventType] | Unset): The event types this subscription receives; at least one, no
            repeats.
        description (str | Unset):
        active (bool | Unset):
    """

    url: str | Unset = UNSET
    event_types: list[WebhookEventType] | Unset = UNSET
    description: str | Unset = UNSET
    active: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        event_types: list[str] | Unset = UNSET
        if not isinstance(self.event_types, Unset):
            event_types = []
            for componentsschemas_webhook_event_types_item_data in self.event_types:
                componentsschemas_webhook_event_types_item: str = componentsschemas_webhook_event_types_item_data
                event_types.append(componentsschemas_webhook_event_types_item)

        description = self.description

        active = self.active

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if url is not UNSET:
            field_dict["url"] = url
        if event_types is not UNSET:
            field_dict["eventTypes"] = event_types
        if description is not UNSET:
            field_dict["description"] = description
        if active is not UNSET:
            field_dict["active"] = active

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        url = d.pop("url", UNSET)

        _event_types = d.pop("eventTypes", UNSET)
        event_types: list[WebhookEventType] | Unset = UNSET
        if _event_types is not UNSET:
            event_types = []
            for componentsschemas_webhook_event_types_item_data in _event_types:
                componentsschemas_webhook_event_types_item = check_webhook_event_type(
                    componentsschemas_webhook_event_types_item_data
                )

                event_types.append(componentsschemas_webhook_event_types_item)

        description = d.pop("description", UNSET)

        active = d.pop("active", UNSET)

        webhook_update = cls(
            url=url,
            event_types=event_types,
            description=description,
            active=active,
        )

        return webhook_update
