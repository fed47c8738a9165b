"""The posts repository's reads that only show a post: what they hide, and that they show the
same post, tags in order, as the ORM read does, without putting it in the session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from app.platform.db.database import Database
from app.platform.db.models import Post, Tag, User
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import service
from app.posts.repository import PostRepository
from app.settings import Settings
from app.tags import service as tags_service
from tests.fixtures.domains import Callers, add_post, add_user

COLUMNS = tuple(column.key for column in Post.__table__.c)


@pytest.fixture
async def author(database: Database) -> User:
    return await add_user(database)


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def make_tags(database: Database, *names: str) -> list[Tag]:
    made = []
    for name in names:

        async def create(uow: UnitOfWork, name: str = name) -> Tag:
            return await tags_service.create(uow=uow, name=name, slug=None)

        made.append(await database.transaction(create))
    return made


def fields(post: Post) -> tuple[object, ...]:
    tags = [(tag.id, tag.name, tag.slug) for tag in post.tags]
    return (*(getattr(post, name) for name in COLUMNS), tags)


async def shown(database: Database, post_id: uuid.UUID) -> Post | None:
    return await database.transaction(lambda uow: PostRepository(uow.session).shown(post_id))


async def shown_by_slug(database: Database, slug: str) -> Post | None:
    return await database.transaction(
        lambda uow: PostRepository(uow.session).shown_published_by_slug(slug)
    )


class TestHidden:
    async def test_a_missing_post_is_none(self, database: Database) -> None:
        assert await shown(database, uuid.uuid4()) is None
        assert await shown_by_slug(database, "nowhere") is None

    async def test_a_trashed_post_is_none(
        self, database: Database, settings: Settings, callers: Callers, author: User
    ) -> None:
        post = await add_post(database, settings, author, slug="gone", status="published")
        caller = callers.of("deletePost", author)
        await database.transaction(
            lambda uow: service.delete(uow=uow, caller=caller, post_id=post.id)
        )
        assert await shown(database, post.id) is None
        assert await shown_by_slug(database, "gone") is None

    async def test_by_slug_an_unpublished_post_is_none(
        self, database: Database, settings: Settings, author: User
    ) -> None:
        draft = await add_post(database, settings, author, slug="draft-one")
        assert await shown_by_slug(database, "draft-one") is None
        assert await shown(database, draft.id) is not None


class TestShown:
    async def test_the_post_as_the_orm_loads_it_tags_in_the_post_order(
        self, database: Database, settings: Settings, author: User
    ) -> None:
        first, second, third = await make_tags(database, "Zeta", "Alpha", "Mu")
        post = await add_post(
            database,
            settings,
            author,
            slug="tagged",
            status="published",
            tag_ids=[third.id, first.id, second.id],
        )

        loaded = await database.transaction(lambda uow: PostRepository(uow.session).get(post.id))
        by_id, by_slug = await shown(database, post.id), await shown_by_slug(database, "tagged")

        assert loaded is not None
        assert by_id is not None
        assert by_slug is not None
        assert [tag.name for tag in by_id.tags] == ["Mu", "Zeta", "Alpha"]
        assert fields(by_id) == fields(by_slug) == fields(loaded)
        assert by_id.created_at.tzinfo is not None

    async def test_an_untagged_post_has_no_tags(
        self, database: Database, settings: Settings, author: User
    ) -> None:
        post = await add_post(database, settings, author)
        found = await shown(database, post.id)
        assert found is not None
        assert found.tags == []

    async def test_two_queries_and_nothing_in_the_session(
        self, database: Database, settings: Settings, author: User, statements: list[str]
    ) -> None:
        post = await add_post(database, settings, author, title="Kept")
        statements.clear()

        async def change_what_was_shown(uow: UnitOfWork) -> bool:
            found = await PostRepository(uow.session).shown(post.id)
            assert found is not None
            found.title = "Changed"
            await uow.session.flush()
            return found in uow.session

        assert await database.transaction(change_what_was_shown) is False
        selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 2, selects
        assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)
        again = await shown(database, post.id)
        assert again is not None
        assert again.title == "Kept"
