"""Domain events, published to the events topic for whoever subscribes."""

from __future__ import annotations

from datetime import datetime

from app.platform.aws import messaging
from app.platform.aws.clients import AwsClients
from app.platform.db.models import Post

POST_PUBLISHED = "post.published"


async def announce(*, clients: AwsClients, post: Post, was_published: bool) -> None:
    """Emit post.published when this change published the post.

    Sent inside the request's transaction: if the event cannot be sent, the change does not commit.
    """
    if post.status == "published" and not was_published and post.published_at is not None:
        await post_published(clients=clients, post=post, at=post.published_at)


async def post_published(*, clients: AwsClients, post: Post, at: datetime) -> None:
    await messaging.publish(
        clients,
        topic=clients.settings.events_topic,
        message_type=POST_PUBLISHED,
        body={
            "postId": str(post.id),
            "authorId": str(post.author_id),
            "slug": post.slug,
            "publishedAt": at.isoformat(),
        },
    )
