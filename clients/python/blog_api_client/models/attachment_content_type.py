from typing import Literal

AttachmentContentType = Literal["image/gif", "image/jpeg", "image/png", "image/webp"]

ATTACHMENT_CONTENT_TYPE_VALUES: set[AttachmentContentType] = {
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/webp",
}


def check_attachment_content_type(value: str) -> AttachmentContentType:
    if value in ATTACHMENT_CONTENT_TYPE_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ATTACHMENT_CONTENT_TYPE_VALUES!r}")
