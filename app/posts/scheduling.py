"""Scheduled publishing: a draft with `publish_at` is published by the worker once that time
has come, exactly as a publish by hand would (status, publishedAt, events, cache, revision).

The worker sweeps every OUTBOX_SWEEP_INTERVAL_SECONDS (app/worker), so a post goes out at most
that long after its time (plus the sweep's own run). Each due post is published in its own
transaction that reads it again and writes it under its version (optimistic concurrency): of
two sweepers, or a sweeper and an edit, one write wins and the other's transaction is retried,
finds the post no longer due, and does nothing, so a post is published and announced once.
A post whose slug a published post took meanwhile cannot be published: it stays a draft, its
publish_at is cleared, and a revision with no changed fields records the attempt (docs/spec.md).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

import msgspec

from app import errors
from app.platform.db.database import Database
from app.platform.db.lazy import LazyDatabase
from app.platform.db.models import Post
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import cache as posts_cache
from app.posts import events, history
from app.posts.repository import LifecycleRepository, PostRepository
from app.settings import Settings

logger = logging.getLogger(__name__)

LOCATION = "body.publishAt"
# Where concurrent publishers of one due post have read it and none has written yet.
PUBLISHING = "posts.schedule.before_write"
# Due posts published per sweep; the rest wait for the next one.
SWEEP_LIMIT = 100


class Sweep(msgspec.Struct, frozen=True):
    published: int = 0
    unscheduled: int = 0


def _invalid(message: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(details=[errors.FieldProblem(LOCATION, message, "value_error")])


def check(publish_at: datetime | None, *, status: str, now: datetime) -> None:
    """422 unless publish_at is None or a future time for a post that is (or stays) a draft."""
    if publish_at is None:
        return
    if status != "draft":
        raise _invalid("Only a draft can be scheduled.")
    if publish_at <= now:
        raise _invalid("The time must be in the future.")


def apply(post: Post, *, changes: Mapping[str, Any], now: datetime) -> None:
    """The schedule after an update: the publish_at it sets (checked), or none once the post
    stops being a draft (publishing by hand, archiving)."""
    status = changes.get("status") or post.status
    if "publish_at" in changes:
        check(changes["publish_at"], status=status, now=now)
        post.publish_at = changes["publish_at"]
    elif status != "draft":
        post.publish_at = None


async def publish_due(
    *,
    database: Database | LazyDatabase,
    settings: Settings,
    now: datetime,
    limit: int = SWEEP_LIMIT,
) -> Sweep:
    """Publish the scheduled drafts due at now, each once."""
    due = await database.transaction(
        lambda uow: LifecycleRepository(uow.session).due_for_publication(now=now, limit=limit)
    )
    published = unscheduled = 0
    for post_id in due:
        try:
            outcome = await database.transaction(
                partial(_publish, settings=settings, post_id=post_id, now=now)
            )
        except (errors.PreconditionFailed, errors.Conflict):
            # Changed, or its slug published by another post, since it was read: the next
            # sweep finds it as it is now.
            logger.info("scheduled post changed while publishing", extra={"post_id": str(post_id)})
            continue
        published += outcome == "published"
        unscheduled += outcome == "unscheduled"
    return Sweep(published=published, unscheduled=unscheduled)


async def _publish(
    uow: UnitOfWork, *, settings: Settings, post_id: uuid.UUID, now: datetime
) -> str | None:
    """Publish the post if it is still due; what became of it, None when nothing was due."""
    post = await LifecycleRepository(uow.session).get_due(post_id, now=now)
    if post is None:
        return None
    before = history.snapshot(post)
    repository = PostRepository(uow.session)
    taken = await repository.slug_held(post.slug, published=True, other_than=post.id)
    post.publish_at = None
    post.updated_at = now
    if not taken:
        post.status = "published"
        post.published_at = post.published_at or now
    await uow.reach(PUBLISHING)
    post = await repository.save(post)
    await history.record(uow, post=post, author_id=post.author_id, before=before, always=True)
    if taken:
        logger.warning(
            "scheduled post not published: a published post holds its slug",
            extra={"post_id": str(post.id), "slug": post.slug},
        )
        posts_cache.post_changed(uow, post_id=post.id, slugs=[post.slug])
        return "unscheduled"
    await events.changed(uow, settings=settings, post=post, was_published=False)
    posts_cache.post_changed(uow, post_id=post.id, slugs=[post.slug])
    return "published"
