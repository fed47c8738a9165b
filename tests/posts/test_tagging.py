"""A post's tags in the service: the ids checked before anything is written, the order kept,
and a page's tags loaded in one query whatever its size."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from app import errors
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.platform.db.models import Post, Tag
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import service as posts_service
from app.posts import tagging
from app.posts.repository import PostFilter
from app.settings import Settings
from app.tags import service as tags_service
from tests.fixtures.domains import add_user


async def make_tags(database: Database, count: int) -> list[Tag]:
    made = []
    for n in range(count):

        async def create(uow: UnitOfWork, name: str = f"Tag {n}") -> Tag:
            return await tags_service.create(uow=uow, name=name, slug=None)

        made.append(await database.transaction(create))
    return made


async def make_post(database: Database, settings: Settings, tags: list[Tag]) -> Post:
    author = await add_user(database)
    return await database.transaction(
        lambda uow: posts_service.create(
            uow=uow,
            settings=settings,
            author_id=author.id,
            title="Tagged",
            body="",
            slug=None,
            category_id=None,
            status="published",
            tag_ids=[tag.id for tag in tags],
        )
    )


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    """Every SQL statement the database layer sends while the test runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(database.engine.sync_engine, "before_cursor_execute", record)


class TestResolve:
    async def test_a_repeat_is_refused_before_any_read(self, database: Database) -> None:
        same = uuid.uuid4()
        with pytest.raises(errors.ValidationFailed) as raised:
            await database.transaction(
                lambda uow: tagging.resolve(uow=uow, tag_ids=[same, uuid.uuid4(), same])
            )
        assert [d.location for d in raised.value.details] == ["body.tagIds"]

    async def test_one_unknown_id_is_not_found(self, database: Database) -> None:
        (tag,) = await make_tags(database, 1)
        with pytest.raises(errors.NotFound) as raised:
            await database.transaction(
                lambda uow: tagging.resolve(uow=uow, tag_ids=[tag.id, uuid.uuid4()])
            )
        assert (raised.value.message, [d.type for d in raised.value.details]) == (
            "Tag not found.",
            ["not_found"],
        )

    async def test_the_tags_in_the_order_asked(self, database: Database) -> None:
        tags = await make_tags(database, 3)
        order = [tags[2].id, tags[0].id, tags[1].id]
        resolved = await database.transaction(lambda uow: tagging.resolve(uow=uow, tag_ids=order))
        assert [tag.id for tag in resolved] == order

    async def test_none_asked_reads_nothing(
        self, database: Database, statements: list[str]
    ) -> None:
        assert await database.transaction(lambda uow: tagging.resolve(uow=uow, tag_ids=[])) == []
        assert not any("tags" in statement for statement in statements)


class TestTagIds:
    async def test_the_ids_as_stored_in_the_post_order(
        self, database: Database, settings: Settings
    ) -> None:
        tags = await make_tags(database, 3)
        post = await make_post(database, settings, [tags[1], tags[2], tags[0]])
        stored = await database.transaction(lambda uow: tagging.tag_ids(uow=uow, post_id=post.id))
        assert stored == [tags[1].id, tags[2].id, tags[0].id]
        assert (
            await database.transaction(lambda uow: tagging.tag_ids(uow=uow, post_id=uuid.uuid4()))
            == []
        )


class TestLoading:
    async def test_a_page_loads_its_tags_in_one_query(
        self, database: Database, settings: Settings, clients: AwsClients, statements: list[str]
    ) -> None:
        tags = await make_tags(database, 4)
        for n in range(5):
            await make_post(database, settings, tags[n % 4 :] + tags[: n % 4])
        statements.clear()

        async def unit(uow: UnitOfWork) -> posts_service.Page:
            return await posts_service.list_page(
                uow=uow,
                clients=clients,
                where=PostFilter(visibility="published"),
                cursor_text=None,
                limit=5,
                key=b"k" * 32,
            )

        page = await database.transaction(unit)

        assert [[t.id for t in post.tags] for post in page.posts] == [
            [tag.id for tag in tags[n % 4 :] + tags[: n % 4]] for n in reversed(range(5))
        ]
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 2, selects
