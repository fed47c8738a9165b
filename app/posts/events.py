"""Domain events, published to the events topic for whoever subscribes.

Recorded in the outbox with the change, so an event names only what committed, once per
logical request however often the transaction is retried; each carries its outboxId.
"""

from __future__ import annotations

from datetime import datetime

from app.platform.db.models import Post
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages
from app.settings import Settings

POST_PUBLISHED = "post.published"


def announce(uow: UnitOfWork, *, settings: Settings, post: Post, was_published: bool) -> None:
    """Emit post.published when this change published the post."""
    if post.status == "published" and not was_published and post.published_at is not None:
        post_published(uow, settings=settings, post=post, at=post.published_at)


def post_published(uow: UnitOfWork, *, settings: Settings, post: Post, at: datetime) -> None:
    uow.emit(
        messages.event(
            topic=settings.events_topic,
            message_type=POST_PUBLISHED,
            body={
                "postId": str(post.id),
                "authorId": str(post.author_id),
                "slug": post.slug,
                "publishedAt": at.isoformat(),
            },
        )
    )
