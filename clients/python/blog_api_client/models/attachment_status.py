from typing import Literal

AttachmentStatus = Literal["pending", "processing", "ready", "rejected"]

ATTACHMENT_STATUS_VALUES: set[AttachmentStatus] = {
    "pending",
    "processing",
    "ready",
    "rejected",
}


def check_attachment_status(value: str) -> AttachmentStatus:
    if value in ATTACHMENT_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ATTACHMENT_STATUS_VALUES!r}")
