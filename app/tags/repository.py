from __future__ import annotations

import uuid

from sqlalchemy import delete, exists, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.cursor import Position
from app.platform.db.integrity import flush_or_conflict
from app.platform.db.models import Post, PostTag, Tag

SLUG_TAKEN = "A tag with this slug already exists."


class TagRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(self, *, after: Position | None, limit: int) -> list[Tag]:
        """Up to limit tags, newest first, strictly after the given position."""
        statement = select(Tag)
        if after is not None:
            statement = statement.where(
                tuple_(Tag.created_at, Tag.id) < tuple_(after.created_at, after.id)
            )
        statement = statement.order_by(Tag.created_at.desc(), Tag.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def get(self, tag_id: uuid.UUID) -> Tag | None:
        return await self.session.get(Tag, tag_id)

    async def slug_taken(self, slug: str, *, other_than: uuid.UUID | None = None) -> bool:
        condition = Tag.slug == slug
        if other_than is not None:
            condition = condition & (Tag.id != other_than)
        return bool(await self.session.scalar(select(exists().where(condition))))

    async def tagged_posts(self, tag_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
        """The (id, slug) of every post with the tag, trashed ones included."""
        statement = (
            select(Post.id, Post.slug)
            .join(PostTag, PostTag.post_id == Post.id)
            .where(PostTag.tag_id == tag_id)
        )
        return [(row.id, row.slug) for row in await self.session.execute(statement)]

    async def add(self, tag: Tag) -> Tag:
        self.session.add(tag)
        await flush_or_conflict(self.session, SLUG_TAKEN)
        return tag

    async def save(self, tag: Tag) -> Tag:
        await flush_or_conflict(self.session, SLUG_TAKEN)
        return tag

    async def delete(self, tag: Tag) -> None:
        """The tag, taken off every post first."""
        await self.session.execute(delete(PostTag).where(PostTag.tag_id == tag.id))
        await self.session.delete(tag)
        await self.session.flush()
