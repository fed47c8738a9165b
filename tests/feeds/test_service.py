"""The feed and the sitemap through the cache, against the real database and Redis: a post's
write retires them through the outbox, as the posts' own writes do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from app.feeds import service
from app.platform.cache.reads import Cache
from app.platform.db.database import Database
from app.platform.db.models import Post, User
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import cache as posts_cache
from app.settings import Settings
from tests.feeds.test_repository import add_post
from tests.fixtures.domains import add_user

pytestmark = pytest.mark.usefixtures("real_redis")

T0 = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)


@pytest.fixture
async def author(database: Database) -> User:
    return await add_user(database)


async def feed_titles(
    database: Database, cache: Cache, settings: Settings, *, at: datetime = T0
) -> tuple[list[str], datetime]:
    document = await database.transaction(
        lambda uow: service.posts_feed(uow=uow, cache=cache, settings=settings, now=lambda: at)
    )
    parsed = feedparser.parse(document.body)
    assert not parsed.bozo
    return [entry.title for entry in parsed.entries], document.last_modified


async def retire(database: Database, post: Post) -> None:
    """What every write of a post owes the cache (app/posts/cache.py), sent after commit."""

    async def unit(uow: UnitOfWork) -> None:
        posts_cache.post_changed(uow, post_id=post.id, slugs=[post.slug])

    await database.transaction(unit)


async def test_the_cached_feed_lasts_until_a_post_write_retires_it(
    database: Database, cache: Cache, settings: Settings, author: User
) -> None:
    first = await add_post(database, author, title="First", published_hours_ago=2)
    assert (await feed_titles(database, cache, settings))[0] == ["First"]

    # A row nobody announced: the cached document is still served.
    second = await add_post(database, author, title="Second", published_hours_ago=1)
    assert (await feed_titles(database, cache, settings))[0] == ["First"]

    await retire(database, second)
    assert (await feed_titles(database, cache, settings))[0] == ["Second", "First"]
    assert first.id != second.id


async def test_last_modified_moves_only_when_the_feed_changes(
    database: Database, cache: Cache, settings: Settings, author: User
) -> None:
    post = await add_post(database, author, title="Kept")
    _, first = await feed_titles(database, cache, settings, at=T0)
    # A write that changes nothing the feed shows (a draft's edit retires it too).
    await retire(database, post)
    _, unchanged = await feed_titles(database, cache, settings, at=T0 + timedelta(hours=1))
    assert unchanged == first == T0

    added = await add_post(database, author, title="Added", published_hours_ago=0.5)
    await retire(database, added)
    titles, changed = await feed_titles(database, cache, settings, at=T0 + timedelta(hours=2))
    assert titles == ["Added", "Kept"]
    assert changed == T0 + timedelta(hours=2)


async def test_a_post_leaving_the_feed_moves_last_modified_on(
    database: Database, cache: Cache, settings: Settings, author: User
) -> None:
    await add_post(database, author, title="Old", published_hours_ago=5)
    newest = await add_post(database, author, title="Newest", published_hours_ago=1)
    _, before = await feed_titles(database, cache, settings, at=T0)

    async def unpublish(uow: UnitOfWork) -> None:
        row = await uow.session.get(Post, newest.id)
        assert row is not None
        row.status = "draft"
        posts_cache.post_changed(uow, post_id=row.id, slugs=[row.slug])

    await database.transaction(unpublish)
    titles, after = await feed_titles(database, cache, settings, at=T0 + timedelta(minutes=1))
    assert titles == ["Old"]
    assert after > before


async def test_the_feed_is_capped_by_its_setting(
    database: Database, cache: Cache, settings: Settings, author: User
) -> None:
    for hours in (3, 2, 1):
        await add_post(database, author, title=f"{hours}h", published_hours_ago=hours)
    capped = settings.model_copy(update={"feed_max_entries": 2})
    assert (await feed_titles(database, cache, capped))[0] == ["1h", "2h"]


async def test_the_sitemap_counts_the_home_page_in_its_cap(
    database: Database, cache: Cache, settings: Settings, author: User
) -> None:
    for hours in (2, 1):
        await add_post(database, author, slug=f"post-{hours}h", published_hours_ago=hours)
    capped = settings.model_copy(update={"sitemap_max_urls": 2})
    document = await database.transaction(
        lambda uow: service.sitemap(uow=uow, cache=cache, settings=capped)
    )
    assert document.body.count(b"<url>") == 2
    assert b"/posts/post-1h</loc>" in document.body
    assert b"post-2h" not in document.body
