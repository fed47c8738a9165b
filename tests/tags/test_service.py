"""The tags service, called in real units of work: unique slugs, newest-first pages, the events
it records, and the cached reads of the posts with a tag made stale once a change commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy import update as sql_update

from app import errors
from app.platform.cache.entry import TOMBSTONE
from app.platform.cache.reads import Cache
from app.platform.cache.store import Store
from app.platform.db.database import Database
from app.platform.db.models import Post, PostTag, Tag
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import cache as posts_cache
from app.posts import service as posts_service
from app.settings import Settings
from app.tags import service
from app.webhooks import events as webhook_events
from tests.fixtures.domains import add_user

KEY = b"k" * 32


class Rollback(Exception):
    """Raised inside a unit of work after the change, so that the transaction rolls back."""


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """What the tags service hands the webhooks seam, in order."""
    seen: list[tuple[str, dict[str, Any]]] = []

    async def record(uow: UnitOfWork, *, event_type: str, data: Mapping[str, Any]) -> None:
        seen.append((event_type, dict(data)))

    monkeypatch.setattr(webhook_events, "emit", record)
    return seen


async def create(database: Database, name: str = "News", slug: str | None = None) -> Tag:
    return await database.transaction(lambda uow: service.create(uow=uow, name=name, slug=slug))


async def update(
    database: Database, tag_id: uuid.UUID, *, name: str | None = None, slug: str | None = None
) -> Tag:
    return await database.transaction(
        lambda uow: service.update(uow=uow, tag_id=tag_id, name=name, slug=slug)
    )


async def delete(database: Database, tag_id: uuid.UUID) -> None:
    await database.transaction(lambda uow: service.delete(uow=uow, tag_id=tag_id))


async def tagged_post(
    database: Database, settings: Settings, tags: list[Tag], *, status: str = "published"
) -> Post:
    author = await add_user(database)
    return await database.transaction(
        lambda uow: posts_service.create(
            uow=uow,
            settings=settings,
            author_id=author.id,
            title=f"Post {uuid.uuid4().hex[:6]}",
            body="",
            slug=None,
            category_id=None,
            status=status,
            tag_ids=[tag.id for tag in tags],
        )
    )


async def links(database: Database) -> list[tuple[uuid.UUID, uuid.UUID, int]]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            select(PostTag.post_id, PostTag.tag_id, PostTag.position).order_by(PostTag.position)
        )
        return [(row.post_id, row.tag_id, row.position) for row in rows]


async def tag_count(database: Database) -> int:
    async with database.engine.connect() as connection:
        counted = await connection.scalar(select(func.count()).select_from(Tag))
        return int(counted or 0)


class TestSlugs:
    async def test_a_taken_slug_is_a_conflict_on_create(self, database: Database) -> None:
        await create(database, "News", "news")
        with pytest.raises(errors.Conflict, match="A tag with this slug already exists"):
            await create(database, "Other", "news")
        assert await tag_count(database) == 1

    async def test_a_taken_slug_is_a_conflict_on_update(self, database: Database) -> None:
        await create(database, "News", "news")
        other = await create(database, "Sport", "sport")
        with pytest.raises(errors.Conflict):
            await update(database, other.id, slug="news")
        again = await database.transaction(lambda uow: service.get(uow=uow, tag_id=other.id))
        assert again.slug == "sport"

    async def test_keeping_the_own_slug_is_no_conflict(self, database: Database) -> None:
        tag = await create(database, "News", "news")
        assert (await update(database, tag.id, slug="news", name="N")).slug == "news"

    async def test_the_slug_comes_from_the_name_or_falls_back(self, database: Database) -> None:
        named, unnamed = await create(database, "Café & Bar"), await create(database, "???")
        assert (named.slug, unnamed.slug) == ("cafe-bar", "tag")


class TestMissing:
    async def test_get_update_and_delete_an_unknown_tag(
        self, database: Database, emitted: list[tuple[str, dict[str, Any]]]
    ) -> None:
        ghost = uuid.uuid4()
        with pytest.raises(errors.NotFound, match="Tag not found"):
            await database.transaction(lambda uow: service.get(uow=uow, tag_id=ghost))
        with pytest.raises(errors.NotFound, match="Tag not found"):
            await update(database, ghost, name="Still a ghost")
        with pytest.raises(errors.NotFound, match="Tag not found"):
            await delete(database, ghost)
        assert emitted == []


class TestPages:
    async def test_a_cursor_of_another_key_is_refused(self, database: Database) -> None:
        for n in range(3):
            await create(database, f"T{n}")
        page = await database.transaction(
            lambda uow: service.list_page(uow=uow, cursor_text=None, limit=2, key=KEY)
        )
        assert page.next_cursor is not None
        with pytest.raises(errors.InvalidCursor):
            await database.transaction(
                lambda uow: service.list_page(
                    uow=uow, cursor_text=page.next_cursor, limit=2, key=b"x" * 32
                )
            )

    async def test_newest_first_with_ties_broken_by_id(self, database: Database) -> None:
        made = [await create(database, f"T{n}") for n in range(3)]
        async with database.engine.begin() as connection:
            await connection.execute(sql_update(Tag).values(created_at=made[0].created_at))
        pages = []
        cursor: str | None = None
        while True:

            async def read(uow: UnitOfWork, after: str | None = cursor) -> service.Page:
                return await service.list_page(uow=uow, cursor_text=after, limit=1, key=KEY)

            page = await database.transaction(read)
            pages += [tag.id for tag in page.tags]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert pages == sorted((tag.id for tag in made), reverse=True)


class TestEvents:
    async def test_each_change_records_its_event_with_the_tag(
        self, database: Database, emitted: list[tuple[str, dict[str, Any]]]
    ) -> None:
        tag = await create(database, "News", "news")
        renamed = await update(database, tag.id, name="Updates")
        await delete(database, tag.id)

        assert [event_type for event_type, _ in emitted] == [
            "tag.created",
            "tag.updated",
            "tag.deleted",
        ]
        created, updated, deleted = (data for _, data in emitted)
        assert created == {
            "id": str(tag.id),
            "name": "News",
            "slug": "news",
            "createdAt": tag.created_at.isoformat().replace("+00:00", "Z"),
            "updatedAt": tag.updated_at.isoformat().replace("+00:00", "Z"),
        }
        assert updated == {
            **created,
            "name": "Updates",
            "updatedAt": renamed.updated_at.isoformat().replace("+00:00", "Z"),
        }
        assert deleted == updated

    async def test_a_refused_change_records_nothing(
        self, database: Database, emitted: list[tuple[str, dict[str, Any]]]
    ) -> None:
        await create(database, "News", "news")
        with pytest.raises(errors.Conflict):
            await create(database, "Other", "news")
        assert [event_type for event_type, _ in emitted] == ["tag.created"]


class TestDelete:
    async def test_the_tag_leaves_every_post_and_the_others_keep_their_order(
        self, database: Database, settings: Settings
    ) -> None:
        a, gone, c = (
            await create(database, "A"),
            await create(database, "Gone"),
            await create(database, "C"),
        )
        first = await tagged_post(database, settings, [a, gone, c])
        second = await tagged_post(database, settings, [gone], status="draft")

        await delete(database, gone.id)

        assert await links(database) == [(first.id, a.id, 0), (first.id, c.id, 2)]
        reread = await database.transaction(
            lambda uow: posts_service.get(uow=uow, post_id=first.id)
        )
        assert [tag.id for tag in reread.tags] == [a.id, c.id]
        untagged = await database.transaction(
            lambda uow: posts_service.get(uow=uow, post_id=second.id)
        )
        assert untagged.tags == []
        assert await tag_count(database) == 2


@pytest.mark.usefixtures("real_redis")
class TestPostsCache:
    @pytest.mark.parametrize("change", ["rename", "delete"])
    async def test_the_posts_with_the_tag_and_every_list_page_go_stale_once_committed(
        self, database: Database, settings: Settings, cache: Cache, store: Store, change: str
    ) -> None:
        tag, other = await create(database, "News"), await create(database, "Other")
        tagged = await tagged_post(database, settings, [tag])
        untouched = await tagged_post(database, settings, [other])
        keys = [posts_cache.by_id(tagged.id), posts_cache.by_slug(tagged.slug)]
        kept = [posts_cache.by_id(untouched.id), posts_cache.by_slug(untouched.slug)]
        for key in keys + kept:
            await store.redis.set(key, b"planted")
        namespace = await cache.namespace(posts_cache.POSTS_NAMESPACE)
        before_commit: list[bytes | None] = []

        async def unit(uow: UnitOfWork) -> None:
            if change == "rename":
                await service.update(uow=uow, tag_id=tag.id, name="Renamed", slug=None)
            else:
                await service.delete(uow=uow, tag_id=tag.id)
            before_commit.extend([await store.get(key) for key in keys])

        await database.transaction(unit)

        assert before_commit == [b"planted", b"planted"]
        assert [await store.get(key) for key in keys] == [TOMBSTONE, TOMBSTONE]
        assert [await store.get(key) for key in kept] == [b"planted", b"planted"]
        assert await cache.namespace(posts_cache.POSTS_NAMESPACE) != namespace

    async def test_a_rolled_back_delete_changes_nothing(
        self, database: Database, settings: Settings, store: Store
    ) -> None:
        tag = await create(database, "News")
        tagged = await tagged_post(database, settings, [tag])
        key = posts_cache.by_id(tagged.id)
        await store.redis.set(key, b"planted")

        async def unit(uow: UnitOfWork) -> None:
            await service.delete(uow=uow, tag_id=tag.id)
            raise Rollback()

        with pytest.raises(Rollback):
            await database.transaction(unit)

        assert await store.get(key) == b"planted"
        assert await links(database) == [(tagged.id, tag.id, 0)]
