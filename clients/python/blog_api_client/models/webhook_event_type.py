from typing import Literal

WebhookEventType = Literal[
    "category.created",
    "category.deleted",
    "category.updated",
    "post.deleted",
    "post.published",
    "post.unpublished",
    "post.updated",
    "tag.created",
    "tag.deleted",
    "tag.updated",
]

WEBHOOK_EVENT_TYPE_VALUES: set[WebhookEventType] = {
    "category.created",
    "category.deleted",
    "category.updated",
    "post.deleted",
    "post.published",
    "post.unpublished",
    "post.updated",
    "tag.created",
    "tag.deleted",
    "tag.updated",
}


def check_webhook_event_type(value: str) -> WebhookEventType:
    if value in WEBHOOK_EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {WEBHOOK_EVENT_TYPE_VALUES!r}")
