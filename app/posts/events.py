"""Domain events, published to the events topic for whoever subscribes, and as webhooks.

Recorded in the outbox with the change, so an event names only what committed, once per
logical request however often the transaction is retried; each carries its outboxId. The
webhook deliveries (app/webhooks) are rows of the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.platform.db.models import Post
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages
from app.settings import Settings
from app.webhooks import events as webhook_events

POST_PUBLISHED = "post.published"
POST_UPDATED = "post.updated"
POST_UNPUBLISHED = "post.unpublished"
POST_DELETED = "post.deleted"


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


def _iso(at: datetime | None) -> str | None:
    return webhook_events.iso(at) if at is not None else None


def event_data(post: Post) -> dict[str, Any]:
    """The post as webhook payloads carry it (PostEventData in docs/spec.md)."""
    return {
        "id": str(post.id),
        "title": post.title,
        "slug": post.slug,
        "status": post.status,
        "authorId": str(post.author_id),
        "categoryId": str(post.category_id) if post.category_id else None,
        "tagIds": [str(tag.id) for tag in post.tags],
        "publishedAt": _iso(post.published_at),
        "publishAt": _iso(post.publish_at),
        "createdAt": webhook_events.iso(post.created_at),
        "updatedAt": webhook_events.iso(post.updated_at),
    }


async def changed(
    uow: UnitOfWork, *, settings: Settings, post: Post, was_published: bool, created: bool = False
) -> None:
    """The events of a committed write of the post, by hand or by the scheduler: post.published
    when it became published, post.unpublished when it stopped being, else post.updated (and
    nothing for a post created unpublished)."""
    announce(uow, settings=settings, post=post, was_published=was_published)
    published = post.status == "published"
    if published and not was_published:
        event_type = POST_PUBLISHED
    elif was_published and not published:
        event_type = POST_UNPUBLISHED
    elif created:
        return
    else:
        event_type = POST_UPDATED
    await webhook_events.emit(uow, event_type=event_type, data=event_data(post))


async def deleted(uow: UnitOfWork, *, post: Post) -> None:
    """The post went to the trash."""
    await webhook_events.emit(uow, event_type=POST_DELETED, data=event_data(post))
