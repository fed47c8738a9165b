"""The categories service, called in real units of work: unique slugs, no deleting a category in
use, and the cached list made stale only once a change commits."""

from __future__ import annotations

import uuid

import pytest

from app import errors
from app.categories import cache as categories_cache
from app.categories import service
from app.platform.aws.clients import AwsClients
from app.platform.cache.entry import TOMBSTONE, Entry
from app.platform.cache.reads import Cache
from app.platform.cache.store import Store
from app.platform.db.database import Database
from app.platform.db.models import Category
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import service as posts_service
from tests.fixtures.domains import add_user

pytestmark = pytest.mark.usefixtures("real_redis")

PLANTED = Entry.of_body(b'[{"name":"planted"}]').encode()


class Rollback(Exception):
    """Raised inside a unit of work after the change, so that the transaction rolls back."""


async def create(
    database: Database,
    cache: Cache,
    *,
    name: str = "News",
    slug: str | None = None,
    description: str | None = None,
) -> Category:
    return await database.transaction(
        lambda uow: service.create(uow=uow, name=name, slug=slug, description=description)
    )


async def update(
    database: Database,
    cache: Cache,
    category: Category,
    *,
    name: str | None = None,
    slug: str | None = None,
    description: str | None = None,
) -> Category:
    return await database.transaction(
        lambda uow: service.update(
            uow=uow,
            category_id=category.id,
            name=name,
            slug=slug,
            description=description,
        )
    )


async def delete(database: Database, cache: Cache, category_id: uuid.UUID) -> None:
    await database.transaction(lambda uow: service.delete(uow=uow, category_id=category_id))


async def names(database: Database) -> list[str]:
    return [c.name for c in await database.transaction(lambda uow: service.list_all(uow=uow))]


class TestSlugs:
    async def test_a_taken_slug_is_a_conflict_on_create(
        self, database: Database, cache: Cache
    ) -> None:
        await create(database, cache, name="News", slug="news")
        with pytest.raises(errors.Conflict, match="slug already exists"):
            await create(database, cache, name="Other", slug="news")
        assert await names(database) == ["News"]

    async def test_a_name_whose_slug_is_taken_is_a_conflict(
        self, database: Database, cache: Cache
    ) -> None:
        await create(database, cache, name="Tech News")
        with pytest.raises(errors.Conflict):
            await create(database, cache, name="tech  news!")

    async def test_a_taken_slug_is_a_conflict_on_update(
        self, database: Database, cache: Cache
    ) -> None:
        await create(database, cache, name="News", slug="news")
        other = await create(database, cache, name="Sport", slug="sport")
        with pytest.raises(errors.Conflict, match="slug already exists"):
            await update(database, cache, other, slug="news")
        again = await database.transaction(lambda uow: service.get(uow=uow, category_id=other.id))
        assert again.slug == "sport"

    async def test_keeping_the_own_slug_is_no_conflict(
        self, database: Database, cache: Cache
    ) -> None:
        category = await create(database, cache, slug="news")
        assert (await update(database, cache, category, slug="news", name="N")).slug == "news"

    async def test_the_slug_comes_from_the_name_or_falls_back(
        self, database: Database, cache: Cache
    ) -> None:
        named = await create(database, cache, name="Café & Bar")
        unnamed = await create(database, cache, name="???")
        assert (named.slug, unnamed.slug) == ("cafe-bar", "category")
        assert (named.description, unnamed.description) == ("", "")


class TestUpdate:
    async def test_omitted_fields_are_kept(self, database: Database, cache: Cache) -> None:
        category = await create(database, cache, name="News", slug="news", description="About")
        updated = await update(database, cache, category, name="Updates")
        assert (updated.name, updated.slug, updated.description) == ("Updates", "news", "About")
        assert updated.updated_at > category.updated_at

    async def test_an_unknown_category_is_not_found(self, database: Database, cache: Cache) -> None:
        ghost = Category(id=uuid.uuid4(), name="Ghost", slug="ghost", description="")
        with pytest.raises(errors.NotFound, match="Category not found"):
            await update(database, cache, ghost, name="Still a ghost")


class TestDelete:
    async def test_a_category_in_use_is_a_conflict_and_stays(
        self, database: Database, cache: Cache, clients: AwsClients
    ) -> None:
        category = await create(database, cache)
        author = await add_user(database)
        await database.transaction(
            lambda uow: posts_service.create(
                uow=uow,
                settings=clients.settings,
                author_id=author.id,
                title="Filed",
                body="",
                slug=None,
                category_id=category.id,
                status="draft",
            )
        )
        with pytest.raises(errors.Conflict, match="Posts still use this category"):
            await delete(database, cache, category.id)
        assert await names(database) == ["News"]

    async def test_an_unused_category_is_deleted(self, database: Database, cache: Cache) -> None:
        category = await create(database, cache)
        await delete(database, cache, category.id)
        assert await names(database) == []
        with pytest.raises(errors.NotFound):
            await database.transaction(lambda uow: service.get(uow=uow, category_id=category.id))

    async def test_an_unknown_category_is_not_found(self, database: Database, cache: Cache) -> None:
        with pytest.raises(errors.NotFound, match="Category not found"):
            await delete(database, cache, uuid.uuid4())


class TestListCache:
    async def test_the_list_is_read_once_then_served_from_the_cache(
        self, database: Database, cache: Cache, store: Store
    ) -> None:
        await create(database, cache, name="B")
        await create(database, cache, name="A")
        renders: list[list[str]] = []

        def render(categories: list[Category]) -> bytes:
            renders.append([c.name for c in categories])
            return ",".join(c.name for c in categories).encode()

        async def read(uow: UnitOfWork) -> Entry:
            return await service.list_entry(uow=uow, cache=cache, render=render)

        # The creates left a tombstone: reads load the list and do not refill it meanwhile.
        tombstoned = await database.transaction(read)
        assert await store.get(categories_cache.CATEGORY_LIST) == TOMBSTONE
        await store.redis.delete(categories_cache.CATEGORY_LIST)
        first = await database.transaction(read)
        second = await database.transaction(read)

        assert (tombstoned.body, first, second) == (b"A,B", tombstoned, tombstoned)
        assert renders == [["A", "B"], ["A", "B"]]
        assert await store.get(categories_cache.CATEGORY_LIST) == first.encode()

    @pytest.mark.parametrize("change", ["create", "update", "delete"])
    async def test_every_change_tombstones_the_list_once_committed(
        self, database: Database, cache: Cache, store: Store, change: str
    ) -> None:
        category = await create(database, cache, name="News")
        await store.redis.set(categories_cache.CATEGORY_LIST, PLANTED)
        before_commit: list[bytes | None] = []

        async def unit(uow: UnitOfWork) -> None:
            if change == "create":
                await service.create(uow=uow, name="New", slug=None, description=None)
            elif change == "update":
                await service.update(
                    uow=uow,
                    category_id=category.id,
                    name="Renamed",
                    slug=None,
                    description=None,
                )
            else:
                await service.delete(uow=uow, category_id=category.id)
            before_commit.append(await store.get(categories_cache.CATEGORY_LIST))

        await database.transaction(unit)

        assert before_commit == [PLANTED]
        assert await store.get(categories_cache.CATEGORY_LIST) == TOMBSTONE
        assert await store.redis.pttl(categories_cache.CATEGORY_LIST) > 0

    async def test_a_rolled_back_change_leaves_the_list(
        self, database: Database, cache: Cache, store: Store
    ) -> None:
        await store.redis.set(categories_cache.CATEGORY_LIST, PLANTED)

        async def unit(uow: UnitOfWork) -> None:
            await service.create(uow=uow, name="Never", slug=None, description=None)
            raise Rollback()

        with pytest.raises(Rollback):
            await database.transaction(unit)

        assert await store.get(categories_cache.CATEGORY_LIST) == PLANTED
        assert await names(database) == []
