from typing import Literal

CategoryWebhookEventType = Literal["category.created", "category.deleted", "category.updated"]

CATEGORY_WEBHOOK_EVENT_TYPE_VALUES: set[CategoryWebhookEventType] = {
    "category.created",
    "category.deleted",
    "category.updated",
}


def check_category_webhook_event_type(value: str) -> CategoryWebhookEventType:
    if value in CATEGORY_WEBHOOK_EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {CATEGORY_WEBHOOK_EVENT_TYPE_VALUES!r}")
