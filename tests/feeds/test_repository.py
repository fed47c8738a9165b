"""The feeds' queries on the real database: published posts outside the trash, newest
published first, capped."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.feeds.repository import FeedRepository
from app.platform.db.database import Database
from app.platform.db.models import Post, User
from app.platform.db.unit_of_work import UnitOfWork
from tests.fixtures.domains import add_user

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


async def add_post(
    database: Database,
    author: User,
    *,
    status: str = "published",
    published_hours_ago: float | None = 1,
    **fields: object,
) -> Post:
    """A post row as the posts service leaves it; published_hours_ago None: never published."""
    published_at = (
        None if published_hours_ago is None else NOW - timedelta(hours=published_hours_ago)
    )

    async def unit(uow: UnitOfWork) -> Post:
        values: dict[str, object] = {
            "title": f"Post {uuid.uuid4().hex[:6]}",
            "slug": f"post-{uuid.uuid4().hex[:8]}",
            "body": "Body",
            "created_at": NOW - timedelta(days=1),
            "updated_at": NOW,
            **fields,
        }
        post = Post(status=status, author_id=author.id, published_at=published_at, **values)
        uow.session.add(post)
        await uow.session.flush()
        return post

    return await database.transaction(unit)


async def newest(database: Database, *, limit: int = 50, body_chars: int = 501) -> list[str]:
    async def unit(uow: UnitOfWork) -> list[str]:
        posts = await FeedRepository(uow.session).newest(limit=limit, body_chars=body_chars)
        return [post.slug for post in posts]

    return await database.transaction(unit)


async def sitemap(database: Database, *, limit: int = 50) -> list[str]:
    async def unit(uow: UnitOfWork) -> list[str]:
        return [post.slug for post in await FeedRepository(uow.session).sitemap(limit=limit)]

    return await database.transaction(unit)


@pytest.fixture
async def author(database: Database) -> User:
    return await add_user(database)


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": "draft", "published_hours_ago": None},
        # Scheduled: a draft with publishAt set.
        {"status": "draft", "published_hours_ago": None, "publish_at": NOW + timedelta(hours=1)},
        # Unpublished: a draft that keeps its first publishedAt.
        {"status": "draft", "published_hours_ago": 5},
        {"status": "archived", "published_hours_ago": 5},
        {"status": "published", "deleted_at": NOW},
    ],
    ids=["draft", "scheduled", "unpublished", "archived", "trashed"],
)
async def test_only_published_posts_outside_the_trash_appear(
    database: Database, author: User, hidden: dict[str, Any]
) -> None:
    await add_post(database, author, **hidden)
    shown = await add_post(database, author)
    assert await newest(database) == [shown.slug]
    assert await sitemap(database) == [shown.slug]


async def test_newest_published_first_not_newest_written(database: Database, author: User) -> None:
    old = await add_post(database, author, published_hours_ago=48)
    new = await add_post(database, author, published_hours_ago=1)
    middle = await add_post(database, author, published_hours_ago=24)
    assert await newest(database) == [new.slug, middle.slug, old.slug]
    assert await sitemap(database) == [new.slug, middle.slug, old.slug]


async def test_capped_at_the_limit_keeping_the_newest(database: Database, author: User) -> None:
    slugs = [(await add_post(database, author, published_hours_ago=h)).slug for h in (3, 2, 1)]
    assert await newest(database, limit=2) == [slugs[2], slugs[1]]
    assert await sitemap(database, limit=2) == [slugs[2], slugs[1]]


async def test_only_the_start_of_the_body_is_read(database: Database, author: User) -> None:
    post = await add_post(database, author, body="é" * 1000)

    async def unit(uow: UnitOfWork) -> list[str]:
        return [
            p.body_start for p in await FeedRepository(uow.session).newest(limit=5, body_chars=7)
        ]

    assert await database.transaction(unit) == ["é" * 7]
    assert post.author_id == author.id


async def test_the_author_is_named_by_display_name(database: Database, author: User) -> None:
    await add_post(database, author)

    async def unit(uow: UnitOfWork) -> list[str]:
        posts = await FeedRepository(uow.session).newest(limit=5, body_chars=10)
        return [p.author_name for p in posts]

    assert await database.transaction(unit) == [author.display_name]
