"""Domain events, published to the events topic for whoever subscribes."""

from __future__ import annotations

from datetime import datetime

from app.aws import messaging
from app.aws.clients import AwsClients
from app.db.models import Post

POST_PUBLISHED = "post.published"


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
