from typing import Literal

PostWebhookEventType = Literal["post.deleted", "post.published", "post.unpublished", "post.updated"]

POST_WEBHOOK_EVENT_TYPE_VALUES: set[PostWebhookEventType] = {
    "post.deleted",
    "post.published",
    "post.unpublished",
    "post.updated",
}


def check_post_webhook_event_type(value: str) -> PostWebhookEventType:
    if value in POST_WEBHOOK_EVENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {POST_WEBHOOK_EVENT_TYPE_VALUES!r}")
