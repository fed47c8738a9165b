"""The revisions of a post (app/posts/history.py stores them): listed, read and restored by
those who may edit the post; for anyone else they do not exist."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from app import errors
from app.categories.repository import CategoryRepository
from app.platform import cursor
from app.platform.authz import Caller
from app.platform.db.models import Post, PostRevision
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import history
from app.posts import service as posts_service
from app.posts.repository import PostRepository, RevisionRepository
from app.settings import Settings


class Page(msgspec.Struct, frozen=True):
    revisions: list[PostRevision]
    next_cursor: str | None


async def _visible_post(uow: UnitOfWork, caller: Caller, post_id: uuid.UUID) -> Post:
    """The post when the caller may edit it; 404 otherwise, as for a missing one (the policy's
    edit_post rule hides it)."""
    return await posts_service.get_visible(uow=uow, caller=caller, post_id=post_id)


async def get(
    *, uow: UnitOfWork, caller: Caller, post_id: uuid.UUID, revision_id: uuid.UUID
) -> PostRevision:
    await _visible_post(uow, caller, post_id)
    revision = await RevisionRepository(uow.session).get(post_id=post_id, revision_id=revision_id)
    if revision is None:
        raise errors.NotFound.of("revision")
    return revision


async def list_page(
    *,
    uow: UnitOfWork,
    caller: Caller,
    post_id: uuid.UUID,
    cursor_text: str | None,
    limit: int,
    key: bytes,
) -> Page:
    """A page of the post's revisions, newest first, behind a signed cursor."""
    await _visible_post(uow, caller, post_id)
    repository = RevisionRepository(uow.session)
    filters = {"postId": post_id}
    before = None
    if cursor_text:
        position = cursor.decode(cursor_text, filters=filters, key=key)
        before = await repository.number_of(post_id=post_id, revision_id=position.id)
        if before is None:
            raise errors.InvalidCursor()
    rows = await repository.page(post_id=post_id, before=before, limit=limit + 1)
    revisions, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = revisions[-1]
        position = cursor.Position(created_at=last.created_at, id=last.id)
        next_cursor = cursor.encode(position, filters=filters, key=key)
    return Page(revisions=revisions, next_cursor=next_cursor)


async def _still_there(uow: UnitOfWork, state: history.Snapshot) -> Mapping[str, Any]:
    """The revision's fields as updatePost changes, leaving out a category or tags deleted
    since (a restore cannot bring them back)."""
    category_id = uuid.UUID(state["categoryId"]) if state["categoryId"] else None
    if category_id is not None and await CategoryRepository(uow.session).get(category_id) is None:
        category_id = None
    wanted = [uuid.UUID(tag_id) for tag_id in state["tagIds"]]
    existing = await PostRepository(uow.session).tags_by_ids(wanted)
    return {
        "title": state["title"],
        "body": state["body"],
        "slug": state["slug"],
        "status": state["status"],
        "category_id": category_id,
        "tag_ids": [tag_id for tag_id in wanted if tag_id in existing],
    }


async def restore(
    *,
    uow: UnitOfWork,
    settings: Settings,
    caller: Caller,
    post_id: uuid.UUID,
    revision_id: uuid.UUID,
    if_match: str,
) -> Post:
    """Set the post's fields to the revision's as updatePost would (If-Match, slugs, publishing,
    events, cache), which stores the restore as a new revision."""
    revision = await get(uow=uow, caller=caller, post_id=post_id, revision_id=revision_id)
    changes = await _still_there(uow, history.snapshot_of(revision))
    return await posts_service.update(
        uow=uow,
        settings=settings,
        caller=caller,
        post_id=post_id,
        if_match=if_match,
        changes=changes,
    )
