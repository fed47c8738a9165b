"""The trash, in real units of work: a deleted post is hidden from every read, restored by those
who may edit it, listed per owner or for staff, and purged with its files and revisions once the
retention period has passed (never before, never once restored)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import errors
from app.platform.aws import s3
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.platform.db.models import Post, PostRevision, User, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import service, trash
from app.posts.repository import PostFilter, PostRepository
from app.posts.storage import uploads_prefix
from app.settings import Settings
from tests.aws_helpers import put_object
from tests.fixtures.domains import Callers, add_post, add_user

pytestmark = pytest.mark.usefixtures("real_redis")

KEY = b"k" * 32


async def create(
    database: Database, settings: Settings, author: User, *, slug: str | None = None
) -> Post:
    return await add_post(database, settings, author, slug=slug, status="published")


async def delete(database: Database, callers: Callers, post: Post, by: User) -> None:
    await database.transaction(
        lambda uow: service.delete(uow=uow, caller=callers.of("deletePost", by), post_id=post.id)
    )


async def restore(
    database: Database, settings: Settings, callers: Callers, post_id: uuid.UUID, by: User | None
) -> Post:
    return await database.transaction(
        lambda uow: trash.restore(
            uow=uow, settings=settings, caller=callers.of("restorePost", by), post_id=post_id
        )
    )


async def listed(
    database: Database,
    clients: AwsClients,
    callers: Callers,
    by: User,
    *,
    visibility: str,
    cursor_text: str | None = None,
    limit: int = 20,
) -> trash.Page:
    return await database.transaction(
        lambda uow: trash.list_page(
            uow=uow,
            clients=clients,
            caller=callers.of("listTrashedPosts", by),
            visibility=visibility,
            cursor_text=cursor_text,
            limit=limit,
            key=KEY,
        )
    )


async def count(database: Database, model: type[Post] | type[PostRevision]) -> int:
    counted = await database.transaction(
        lambda uow: uow.session.scalar(select(func.count()).select_from(model))
    )
    assert counted is not None
    return counted


@pytest.fixture
async def owner(database: Database) -> User:
    return await add_user(database)


class TestHidden:
    async def test_a_trashed_post_is_absent_from_every_read(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner, slug="gone")
        await delete(database, callers, post, owner)

        async def reads(uow: UnitOfWork) -> tuple[object, ...]:
            repository = PostRepository(uow.session)
            return (
                await repository.get(post.id),
                await repository.get_published_by_slug("gone"),
                await repository.get_own_by_slug(author_id=owner.id, slug="gone"),
                await repository.page(where=PostFilter(visibility="all"), after=None, limit=10),
            )

        assert await database.transaction(reads) == (None, None, None, [])
        with pytest.raises(errors.NotFound, match="Post not found"):
            await delete(database, callers, post, owner)

    async def test_it_keeps_its_slug(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner, slug="kept")
        await delete(database, callers, post, owner)
        with pytest.raises(errors.Conflict):
            await create(database, settings, owner, slug="kept")
        other = await add_user(database)
        with pytest.raises(errors.Conflict, match="published post already has this slug"):
            await create(database, settings, other, slug="kept")


class TestRestore:
    async def test_a_missing_post_is_not_found(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        with pytest.raises(errors.NotFound, match="Post not found"):
            await restore(database, settings, callers, uuid.uuid4(), owner)

    async def test_a_post_not_in_the_trash_comes_back_unchanged(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner)
        again = await restore(database, settings, callers, post.id, owner)
        assert (again.deleted_at, again.version, again.updated_at) == (
            None,
            post.version,
            post.updated_at,
        )

    async def test_someone_who_may_not_edit_it_gets_not_found(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner)
        await delete(database, callers, post, owner)
        with pytest.raises(errors.NotFound, match="Post not found"):
            await restore(database, settings, callers, post.id, await add_user(database))
        with pytest.raises(errors.Unauthenticated):
            await restore(database, settings, callers, post.id, None)

    @pytest.mark.parametrize("role", ["author", "editor", "admin"])
    async def test_the_owner_or_staff_bring_it_back_as_it_was(
        self, database: Database, settings: Settings, callers: Callers, owner: User, role: str
    ) -> None:
        post = await create(database, settings, owner, slug="back")
        await delete(database, callers, post, owner)
        by = owner if role == "author" else await add_user(database, role=role)

        restored = await restore(database, settings, callers, post.id, by)

        assert (restored.deleted_at, restored.slug, restored.status) == (None, "back", "published")
        found = await database.transaction(
            lambda uow: PostRepository(uow.session).get_published_by_slug("back")
        )
        assert found is not None
        assert found.id == post.id


class TestList:
    async def test_an_author_sees_their_own_and_staff_see_all(
        self,
        database: Database,
        settings: Settings,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        other = await add_user(database)
        mine, theirs = (
            await create(database, settings, owner),
            await create(database, settings, other),
        )
        alive = await create(database, settings, owner, slug="alive")
        await delete(database, callers, mine, owner)
        await delete(database, callers, theirs, other)

        own = await listed(database, clients, callers, owner, visibility="published_or_own")
        every = await listed(database, clients, callers, owner, visibility="all")

        assert [p.id for p in own.posts] == [mine.id]
        assert [p.id for p in every.posts] == [theirs.id, mine.id]  # latest deleted first
        assert alive.id not in {p.id for p in every.posts}

    async def test_pages_follow_their_cursor_and_a_cursor_is_bound_to_its_owner(
        self,
        database: Database,
        settings: Settings,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        posts = [await create(database, settings, owner) for _ in range(3)]
        for post in posts:
            await delete(database, callers, post, owner)

        first = await listed(database, clients, callers, owner, visibility="own", limit=2)
        assert first.next_cursor is not None
        second = await listed(
            database, clients, callers, owner, visibility="own", cursor_text=first.next_cursor
        )

        assert [p.id for p in first.posts + second.posts] == [p.id for p in reversed(posts)]
        assert second.next_cursor is None
        with pytest.raises(errors.InvalidCursor):
            await listed(
                database, clients, callers, owner, visibility="all", cursor_text=first.next_cursor
            )


class TestPurge:
    async def test_only_posts_past_the_retention_go_with_their_files_and_revisions(
        self,
        database: Database,
        settings: Settings,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        old, recent = (
            await create(database, settings, owner),
            await create(database, settings, owner),
        )
        upload = f"{uploads_prefix(old.id)}{uuid.uuid4()}"
        await put_object(clients, key=upload, body=b"x")
        await delete(database, callers, old, owner)
        retention = timedelta(days=settings.trash_retention_days)
        trashed_at = utcnow()
        await delete(database, callers, recent, owner)

        assert await trash.purge_due(database=database, settings=settings, now=trashed_at) == 0
        assert await s3.head(clients, key=upload) is not None

        purged = await trash.purge_due(
            database=database, settings=settings, now=trashed_at + retention
        )

        assert purged == 1
        assert await count(database, Post) == 1
        assert await count(database, PostRevision) == 1  # recent's creation only
        assert await s3.head(clients, key=upload) is None

    async def test_a_restored_post_is_never_purged(
        self, database: Database, settings: Settings, callers: Callers, owner: User
    ) -> None:
        post = await create(database, settings, owner)
        await delete(database, callers, post, owner)
        await restore(database, settings, callers, post.id, owner)
        later = utcnow() + timedelta(days=settings.trash_retention_days + 1)

        assert await trash.purge_due(database=database, settings=settings, now=later) == 0
        assert await count(database, Post) == 1
