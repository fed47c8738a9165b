"""The feeds' SQL: published posts that are not in the trash, newest published first."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.platform.db.models import Post, User


class FeedPost(msgspec.Struct, frozen=True):
    id: uuid.UUID
    title: str
    slug: str
    # The body's first characters only: enough for a summary.
    body_start: str
    author_name: str
    published_at: datetime
    updated_at: datetime


class SitemapPost(msgspec.Struct, frozen=True):
    slug: str
    updated_at: datetime


def _public() -> ColumnElement[bool]:
    return (Post.status == "published") & Post.deleted_at.is_(None) & Post.published_at.is_not(None)


class FeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def newest(self, *, limit: int, body_chars: int) -> list[FeedPost]:
        statement = (
            select(
                Post.id,
                Post.title,
                Post.slug,
                func.substr(Post.body, 1, body_chars),
                User.display_name,
                Post.published_at,
                Post.updated_at,
            )
            .join(User, User.id == Post.author_id)
            .where(_public())
            .order_by(Post.published_at.desc(), Post.id.desc())
            .limit(limit)
        )
        rows = await self.session.execute(statement)
        return [FeedPost(*row) for row in rows]

    async def sitemap(self, *, limit: int) -> list[SitemapPost]:
        statement = (
            select(Post.slug, Post.updated_at)
            .where(_public())
            .order_by(Post.published_at.desc(), Post.id.desc())
            .limit(limit)
        )
        return [SitemapPost(*row) for row in await self.session.execute(statement)]
