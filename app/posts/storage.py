"""Where a post's uploaded files live: one prefix per post, so its files can go with it."""

from __future__ import annotations

import uuid

from app.platform.aws import s3
from app.platform.aws.clients import AwsClients


def uploads_prefix(post_id: uuid.UUID) -> str:
    return f"posts/{post_id}/"


async def delete_uploads(*, clients: AwsClients, post_id: uuid.UUID) -> int:
    """Delete every uploaded object of a post, whatever the state of its attachment rows."""
    return await s3.delete_prefix(clients, prefix=uploads_prefix(post_id))
