from typing import Literal

TagWebhookEventType = Literal["tag.created", "tag.deleted", "tag.updated"]

TAG_WEBHOOK_EVENT_TYPE_VALUES: set[TagWebhookEventType] = {
    "tag.created",
    "tag.deleted",
    "tag.updated",
}


def check_tag_webhook_event_type(value: str) -> TagWebhookEventType:
    if value in TAG_WEBHOOK_EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TAG_WEBHOOK_EVENT_TYPE_VALUES!r}")
