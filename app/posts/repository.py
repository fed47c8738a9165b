from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import exists, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app import errors
from app.platform.db.integrity import flush_or_conflict
from app.platform.db.models import Post
from app.posts.cursor import Position


@dataclass(frozen=True, slots=True)
class PostFilter:
    visibility: str
    viewer_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    status: str | None = None
    title_contains: str | None = None


class PostRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, post_id: uuid.UUID) -> Post | None:
        return await self.session.get(Post, post_id)

    async def get_published_by_slug(self, slug: str) -> Post | None:
        """The published post with this slug: at most one (posts_published_slug_key)."""
        statement = select(Post).where(Post.slug == slug, Post.status == "published")
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get_own_by_slug(self, *, author_id: uuid.UUID, slug: str) -> Post | None:
        """The author's post with this slug: at most one (posts_author_id_slug_key)."""
        statement = select(Post).where(Post.author_id == author_id, Post.slug == slug)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def slug_held(
        self,
        slug: str,
        *,
        author_id: uuid.UUID | None = None,
        published: bool = False,
        other_than: uuid.UUID | None = None,
    ) -> bool:
        """Whether a post other than other_than holds slug, among the author's posts or among
        the published posts (published=True)."""
        condition = Post.slug == slug
        if author_id is not None:
            condition = condition & (Post.author_id == author_id)
        if published:
            condition = condition & (Post.status == "published")
        if other_than is not None:
            condition = condition & (Post.id != other_than)
        return bool(await self.session.scalar(select(exists().where(condition))))

    async def page(self, *, where: PostFilter, after: Position | None, limit: int) -> list[Post]:
        """Up to limit rows, newest first, strictly after the given position."""
        statement = select(Post)
        if where.visibility == "published":
            statement = statement.where(Post.status == "published")
        elif where.visibility == "published_or_own":
            statement = statement.where(
                or_(Post.status == "published", Post.author_id == where.viewer_id)
            )
        if where.category_id is not None:
            statement = statement.where(Post.category_id == where.category_id)
        if where.author_id is not None:
            statement = statement.where(Post.author_id == where.author_id)
        if where.status is not None:
            statement = statement.where(Post.status == where.status)
        if where.title_contains is not None:
            statement = statement.where(Post.title.icontains(where.title_contains, autoescape=True))
        if after is not None:
            statement = statement.where(
                tuple_(Post.created_at, Post.id) < tuple_(after.created_at, after.id)
            )
        statement = statement.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def add(self, post: Post) -> Post:
        self.session.add(post)
        await flush_or_conflict(self.session, "A post with this slug already exists.")
        return post

    async def save(self, post: Post) -> Post:
        try:
            await flush_or_conflict(self.session, "A post with this slug already exists.")
        except StaleDataError as exc:
            raise errors.PreconditionFailed() from exc
        return post

    async def delete(self, post: Post) -> None:
        await self.session.delete(post)
        try:
            await self.session.flush()
        except StaleDataError as exc:
            raise errors.NotFound.of("post") from exc
