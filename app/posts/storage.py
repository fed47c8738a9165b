"""Where a post's uploaded files live, so its files can go with it.

Two prefixes per post. An upload form writes only under `staging/posts/{post_id}/`, which
nothing serves; once the attachment job has checked a file it copies it (inside S3) to
`posts/{post_id}/{attachment_id}`, the final key: no upload form names one, and only final keys
get download URLs, so a checked file cannot be replaced by posting a form again.
"""

from __future__ import annotations

import uuid

from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages

STAGING_ROOT = "staging/"


def uploads_prefix(post_id: uuid.UUID) -> str:
    """The prefix of the post's final (checked, served) files."""
    return f"posts/{post_id}/"


def staging_prefix(post_id: uuid.UUID) -> str:
    """The prefix the post's upload forms write under; nothing here is ever served."""
    return f"{STAGING_ROOT}{uploads_prefix(post_id)}"


def final_key(post_id: uuid.UUID, attachment_id: uuid.UUID) -> str:
    return f"{uploads_prefix(post_id)}{attachment_id}"


def staging_key(post_id: uuid.UUID, attachment_id: uuid.UUID) -> str:
    return f"{staging_prefix(post_id)}{attachment_id}"


def is_final(key: str) -> bool:
    return not key.startswith(STAGING_ROOT)


def parse_staging_key(key: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The post id and attachment id a staging key names; None for any other key."""
    parts = key.split("/")
    if len(parts) != 4 or f"{parts[0]}/" != STAGING_ROOT or parts[1] != "posts":
        return None
    try:
        return uuid.UUID(parts[2]), uuid.UUID(parts[3])
    except ValueError:
        return None


def delete_uploads(uow: UnitOfWork, *, post_id: uuid.UUID) -> None:
    """Once the change commits, every uploaded object of the post goes, staged or final,
    whatever its rows say."""
    uow.emit(messages.delete_prefix(prefix=staging_prefix(post_id)))
    uow.emit(messages.delete_prefix(prefix=uploads_prefix(post_id)))
