"""Tags: unique slugs, newest-first pages, and the posts that show a tag kept fresh.

Every post's representation embeds its tags, so renaming or deleting a tag makes stale the
cached reads of each post with it and every list page; both leave through the outbox.
"""

from __future__ import annotations

import uuid

import msgspec

from app import errors
from app.platform import cursor
from app.platform.db.models import Tag, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.slugs import slugify
from app.posts import cache as posts_cache
from app.tags import events
from app.tags.repository import SLUG_TAKEN, TagRepository


class Page(msgspec.Struct, frozen=True):
    tags: list[Tag]
    next_cursor: str | None


async def list_page(*, uow: UnitOfWork, cursor_text: str | None, limit: int, key: bytes) -> Page:
    after = cursor.decode(cursor_text, filters={}, key=key) if cursor_text else None
    rows = await TagRepository(uow.session).page(after=after, limit=limit + 1)
    tags, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = tags[-1]
        position = cursor.Position(created_at=last.created_at, id=last.id)
        next_cursor = cursor.encode(position, filters={}, key=key)
    return Page(tags=tags, next_cursor=next_cursor)


async def get(*, uow: UnitOfWork, tag_id: uuid.UUID) -> Tag:
    tag = await TagRepository(uow.session).get(tag_id)
    if tag is None:
        raise errors.NotFound.of("tag")
    return tag


async def create(*, uow: UnitOfWork, name: str, slug: str | None) -> Tag:
    repository = TagRepository(uow.session)
    slug = slug or slugify(name, fallback="tag")
    if await repository.slug_taken(slug):
        raise errors.Conflict(SLUG_TAKEN)
    now = utcnow()
    tag = await repository.add(Tag(name=name, slug=slug, created_at=now, updated_at=now))
    await events.announce(uow, event_type=events.TAG_CREATED, tag=tag)
    return tag


async def update(*, uow: UnitOfWork, tag_id: uuid.UUID, name: str | None, slug: str | None) -> Tag:
    repository = TagRepository(uow.session)
    tag = await get(uow=uow, tag_id=tag_id)
    if slug is not None and slug != tag.slug:
        if await repository.slug_taken(slug, other_than=tag.id):
            raise errors.Conflict(SLUG_TAKEN)
        tag.slug = slug
    if name is not None:
        tag.name = name
    tag.updated_at = utcnow()
    tag = await repository.save(tag)
    posts_cache.posts_changed(uow, posts=await repository.tagged_posts(tag.id))
    await events.announce(uow, event_type=events.TAG_UPDATED, tag=tag)
    return tag


async def delete(*, uow: UnitOfWork, tag_id: uuid.UUID) -> None:
    """The tag, taken off every post that has it."""
    repository = TagRepository(uow.session)
    tag = await get(uow=uow, tag_id=tag_id)
    tagged = await repository.tagged_posts(tag.id)
    await events.announce(uow, event_type=events.TAG_DELETED, tag=tag)
    await repository.delete(tag)
    posts_cache.posts_changed(uow, posts=tagged)
