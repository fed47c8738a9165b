"""The trash: a deleted post is hidden from every read (deleted_at set) until its author, an
editor or an admin restores it, or the worker purges it TRASH_RETENTION_DAYS later.

A trashed post keeps its slug until purged (the slug indexes still count it), so a restore
never conflicts. Purging deletes the row, with its attachments' rows, revisions and tag links
(ON DELETE CASCADE), and then, through the outbox, its uploaded files: what deletePost did
before the trash.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from functools import partial

import msgspec

from app import errors
from app.platform import cursor
from app.platform.authz import Caller
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.platform.db.lazy import LazyDatabase
from app.platform.db.models import Post, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import cache as posts_cache
from app.posts import events, storage
from app.posts.authz import PostFacts
from app.posts.repository import LifecycleRepository, PostRepository, TrashPosition
from app.settings import Settings
from app.views import service as views_service

logger = logging.getLogger(__name__)

# Trashed posts purged per sweep, each in its own transaction; the rest wait for the next one.
PURGE_LIMIT = 100


class Page(msgspec.Struct, frozen=True):
    posts: list[Post]
    view_counts: dict[uuid.UUID, int | None]
    next_cursor: str | None


def purge_at(post: Post, *, settings: Settings) -> datetime:
    """From when the worker may purge the trashed post."""
    assert post.deleted_at is not None
    return post.deleted_at + timedelta(days=settings.trash_retention_days)


async def move(uow: UnitOfWork, *, post: Post) -> None:
    """Put the post in the trash, unscheduled; its cached reads and every list page go stale."""
    post.deleted_at = utcnow()
    post.publish_at = None
    await PostRepository(uow.session).save(post)
    await events.deleted(uow, post=post)
    posts_cache.post_changed(uow, post_id=post.id, slugs=[post.slug])


async def restore(
    *, uow: UnitOfWork, settings: Settings, caller: Caller, post_id: uuid.UUID
) -> Post:
    """Take the post out of the trash as it was; 404 when the caller may not edit it, as for a
    missing post. A post already out of the trash is answered as it is: a retried restore whose
    first answer was lost gets the same answer, and nothing changes or is announced again."""
    post = await LifecycleRepository(uow.session).get_any(post_id)
    if post is None:
        raise errors.NotFound.of("post")
    caller.require(PostFacts.of(post).resource())
    if post.deleted_at is None:
        return post
    post.deleted_at = None
    post.updated_at = utcnow()
    post = await PostRepository(uow.session).save(post)
    # Back as it was: post.updated, whatever its status (a published post is not published anew).
    published = post.status == "published"
    await events.changed(uow, settings=settings, post=post, was_published=published)
    posts_cache.post_changed(uow, post_id=post.id, slugs=[post.slug])
    return post


async def list_page(
    *,
    uow: UnitOfWork,
    clients: AwsClients,
    caller: Caller,
    visibility: str,
    cursor_text: str | None,
    limit: int,
    key: bytes,
) -> Page:
    """The caller's trashed posts (every one with visibility "all"), latest deleted first."""
    owner_id = None if visibility == "all" else caller.require_principal().user_id
    filters = {"trash": "all" if owner_id is None else str(owner_id)}
    after = None
    if cursor_text:
        position = cursor.decode(cursor_text, filters=filters, key=key)
        after = TrashPosition(deleted_at=position.created_at, id=position.id)
    rows = await LifecycleRepository(uow.session).trash_page(
        owner_id=owner_id, after=after, limit=limit + 1
    )
    posts, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = posts[-1]
        assert last.deleted_at is not None
        position = cursor.Position(created_at=last.deleted_at, id=last.id)
        next_cursor = cursor.encode(position, filters=filters, key=key)
    counts = await views_service.counts(clients=clients, post_ids=[p.id for p in posts])
    return Page(posts=posts, view_counts=counts, next_cursor=next_cursor)


async def purge_due(
    *,
    database: Database | LazyDatabase,
    settings: Settings,
    now: datetime,
    limit: int = PURGE_LIMIT,
) -> int:
    """Purge the posts trashed more than the retention period before now; how many went."""
    cutoff = now - timedelta(days=settings.trash_retention_days)
    due = await database.transaction(
        lambda uow: LifecycleRepository(uow.session).due_for_purge(
            deleted_before=cutoff, limit=limit
        )
    )
    purged = 0
    for post_id in due:
        try:
            purged += await database.transaction(
                partial(_purge, post_id=post_id, deleted_before=cutoff)
            )
        except errors.ServiceUnavailable:
            raise
        except Exception:
            # One post that cannot go (past Aurora DSQL's rows per transaction, say) must not
            # keep the others in the trash.
            logger.exception("trashed post not purged", extra={"post_id": str(post_id)})
    return purged


async def _purge(uow: UnitOfWork, *, post_id: uuid.UUID, deleted_before: datetime) -> bool:
    """Delete the post unless it was restored meanwhile, and once that commits its files."""
    if not await LifecycleRepository(uow.session).purge(post_id, deleted_before=deleted_before):
        return False
    storage.delete_uploads(uow, post_id=post_id)
    logger.info("trashed post purged", extra={"post_id": str(post_id)})
    return True
