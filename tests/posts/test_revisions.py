"""Revisions, in real units of work: one per change of a recorded field, none for a change of
nothing, seen only by who may edit the post, paged newest first, and restored as an update."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app import errors
from app.platform.db.database import Database
from app.platform.db.models import Post, PostRevision, User
from app.posts import history, revisions, service
from app.settings import Settings
from tests.fixtures.domains import Callers, add_post, add_user, change_post

pytestmark = pytest.mark.usefixtures("real_redis")

KEY = b"k" * 32


async def create(database: Database, settings: Settings, author: User, **fields: Any) -> Post:
    return await add_post(database, settings, author, **{"title": "First", **fields})


async def update(
    database: Database, settings: Settings, callers: Callers, post: Post, by: User, **changes: Any
) -> Post:
    return await change_post(database, settings, callers.of("updatePost", by), post, **changes)


async def page(
    database: Database,
    callers: Callers,
    post: Post,
    by: User | None,
    *,
    cursor_text: str | None = None,
    limit: int = 20,
) -> revisions.Page:
    return await database.transaction(
        lambda uow: revisions.list_page(
            uow=uow,
            caller=callers.of("listPostRevisions", by),
            post_id=post.id,
            cursor_text=cursor_text,
            limit=limit,
            key=KEY,
        )
    )


async def restore(
    database: Database,
    settings: Settings,
    callers: Callers,
    post_id: uuid.UUID,
    revision: PostRevision,
    by: User,
    *,
    if_match: str = "*",
) -> Post:
    return await database.transaction(
        lambda uow: revisions.restore(
            uow=uow,
            settings=settings,
            caller=callers.of("restorePostRevision", by),
            post_id=post_id,
            revision_id=revision.id,
            if_match=if_match,
        )
    )


@pytest.fixture
async def owner(database: Database) -> User:
    return await add_user(database)


class TestRecorded:
    async def test_creation_is_revision_one_with_every_field(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner, slug="first")
        (first,) = (await page(database, callers, post, owner)).revisions
        assert (first.number, first.author_id) == (1, owner.id)
        assert history.changes_of(first) == list(history.FIELDS)
        assert history.snapshot_of(first) == {
            "title": "First",
            "body": "Body",
            "slug": "first",
            "status": "draft",
            "categoryId": None,
            "tagIds": [],
        }

    async def test_a_change_records_who_and_what_and_a_change_of_nothing_records_nothing(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner)
        editor = await add_user(database, role="editor")
        await update(database, settings, callers, post, editor, title="Second", body="New")
        await update(database, settings, callers, post, owner, title="Second")

        latest, first = (await page(database, callers, post, owner)).revisions
        assert (latest.number, latest.author_id, first.number) == (2, editor.id, 1)
        assert history.changes_of(latest) == ["title", "body"]
        assert history.snapshot_of(latest)["title"] == "Second"

    async def test_a_failed_change_records_nothing(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner)
        await create(database, settings, owner, slug="taken")
        with pytest.raises(errors.Conflict):
            await update(database, settings, callers, post, owner, slug="taken")
        assert len((await page(database, callers, post, owner)).revisions) == 1


class TestVisibility:
    async def test_anyone_who_may_not_edit_the_post_gets_not_found(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner, status="published")
        stranger = await add_user(database)
        with pytest.raises(errors.NotFound, match="Post not found"):
            await page(database, callers, post, stranger)
        with pytest.raises(errors.Unauthenticated):
            await page(database, callers, post, None)
        staff = await add_user(database, role="editor")
        assert len((await page(database, callers, post, staff)).revisions) == 1

    async def test_a_revision_of_another_post_is_not_found(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post, other = (
            await create(database, settings, owner),
            await create(database, settings, owner),
        )
        (of_other,) = (await page(database, callers, other, owner)).revisions
        with pytest.raises(errors.NotFound, match="Revision not found"):
            await database.transaction(
                lambda uow: revisions.get(
                    uow=uow,
                    caller=callers.of("getPostRevision", owner),
                    post_id=post.id,
                    revision_id=of_other.id,
                )
            )

    async def test_a_trashed_posts_revisions_are_not_found(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner)
        await database.transaction(
            lambda uow: service.delete(
                uow=uow, caller=callers.of("deletePost", owner), post_id=post.id
            )
        )
        with pytest.raises(errors.NotFound, match="Post not found"):
            await page(database, callers, post, owner)


class TestPages:
    async def test_newest_first_across_pages_and_a_cursor_is_bound_to_its_post(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner)
        for n in range(2, 5):
            await update(database, settings, callers, post, owner, title=f"Title {n}")

        first = await page(database, callers, post, owner, limit=3)
        assert first.next_cursor is not None
        rest = await page(database, callers, post, owner, cursor_text=first.next_cursor, limit=3)

        assert [r.number for r in first.revisions + rest.revisions] == [4, 3, 2, 1]
        assert rest.next_cursor is None
        other = await create(database, settings, owner)
        with pytest.raises(errors.InvalidCursor):
            await page(database, callers, other, owner, cursor_text=first.next_cursor)


class TestRestore:
    async def test_restoring_sets_the_fields_and_is_a_new_revision(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner, slug="one")
        (first,) = (await page(database, callers, post, owner)).revisions
        await update(database, settings, callers, post, owner, title="Two", slug="two")

        restored = await restore(database, settings, callers, post.id, first, owner)

        assert (restored.title, restored.slug) == ("First", "one")
        latest = (await page(database, callers, post, owner)).revisions[0]
        assert (latest.number, history.changes_of(latest)) == (3, ["title", "slug"])

    async def test_a_stale_etag_is_412(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner)
        (first,) = (await page(database, callers, post, owner)).revisions
        stale = service.etag(post)
        await update(database, settings, callers, post, owner, title="Two")
        with pytest.raises(errors.PreconditionFailed):
            await restore(database, settings, callers, post.id, first, owner, if_match=stale)

    async def test_a_slug_taken_since_is_409(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner, slug="one")
        (first,) = (await page(database, callers, post, owner)).revisions
        await update(database, settings, callers, post, owner, slug="two")
        await create(database, settings, owner, slug="one")
        with pytest.raises(errors.Conflict):
            await restore(database, settings, callers, post.id, first, owner)
