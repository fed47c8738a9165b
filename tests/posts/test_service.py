"""The posts service, called in real units of work: If-Match, slugs, categories, publishing, who
may see a post, cache invalidation once the change commits, and keyset pages."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from app import errors
from app.categories import service as categories_service
from app.platform.aws import s3
from app.platform.aws.clients import AwsClients
from app.platform.cache.entry import TOMBSTONE, Entry
from app.platform.cache.reads import Cache
from app.platform.cache.store import Store
from app.platform.db.database import Database
from app.platform.db.models import Post, User
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.slugs import MAX_LENGTH
from app.posts import cache as posts_cache
from app.posts import service, trash
from app.posts.repository import PostFilter, PostRepository
from app.posts.storage import uploads_prefix
from app.views import service as views_service
from tests.aws_helpers import put_object
from tests.fixtures.domains import Callers, add_user

pytestmark = pytest.mark.usefixtures("real_redis")

KINDS = ["anonymous", "author", "editor", "admin"]


class Rollback(Exception):
    """Raised inside a unit of work after the change, so that the transaction rolls back."""


@pytest.fixture
async def owner(database: Database) -> User:
    return await add_user(database)


async def someone(database: Database, kind: str) -> User | None:
    """A user of this kind other than the owner; None for anonymous."""
    return None if kind == "anonymous" else await add_user(database, role=kind)


async def create(
    database: Database,
    cache: Cache,
    clients: AwsClients,
    author: User,
    *,
    title: str = "Hello world",
    slug: str | None = None,
    category_id: uuid.UUID | None = None,
    status: str = "draft",
) -> Post:
    return await database.transaction(
        lambda uow: service.create(
            uow=uow,
            settings=clients.settings,
            author_id=author.id,
            title=title,
            body="Body",
            slug=slug,
            category_id=category_id,
            status=status,
        )
    )


async def update(
    database: Database,
    cache: Cache,
    clients: AwsClients,
    callers: Callers,
    post: Post,
    by: User | None,
    *,
    if_match: str | None = None,
    **changes: Any,
) -> Post:
    return await database.transaction(
        lambda uow: service.update(
            uow=uow,
            settings=clients.settings,
            caller=callers.of("updatePost", by),
            post_id=post.id,
            if_match=service.etag(post) if if_match is None else if_match,
            changes=changes,
        )
    )


async def stored(database: Database, post_id: uuid.UUID) -> Post | None:
    return await database.transaction(lambda uow: uow.session.get(Post, post_id))


async def post_count(database: Database) -> int:
    counted = await database.transaction(
        lambda uow: uow.session.scalar(select(func.count()).select_from(Post))
    )
    assert counted is not None
    return counted


def planted(post: Post) -> bytes:
    return Entry(etag='"planted"', body=b"{}", facts=(str(post.author_id), "published")).encode()


async def plant(store: Store, post: Post, *keys: str) -> None:
    for key in keys:
        await store.redis.set(key, planted(post))


async def tombstoned(store: Store, key: str) -> bool:
    return await store.get(key) == TOMBSTONE and await store.redis.pttl(key) > 0


class TestIfMatch:
    async def test_a_stale_etag_is_412_and_changes_nothing(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        post = await create(database, cache, clients, owner, title="First")
        stale = service.etag(post)
        edited = await update(database, cache, clients, callers, post, owner, title="Second")

        with pytest.raises(errors.PreconditionFailed):
            await update(
                database, cache, clients, callers, post, owner, if_match=stale, title="Third"
            )

        after = await stored(database, post.id)
        assert after is not None
        assert (after.title, after.version) == ("Second", edited.version)
        assert edited.version == post.version + 1
        assert service.etag(edited) != stale

    @pytest.mark.parametrize("header", ["*", '"other", {current}', "{current}"])
    async def test_the_current_etag_or_a_wildcard_matches(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
        header: str,
    ) -> None:
        post = await create(database, cache, clients, owner)
        if_match = header.format(current=service.etag(post))
        edited = await update(
            database, cache, clients, callers, post, owner, if_match=if_match, title="New"
        )
        assert edited.title == "New"

    @pytest.mark.parametrize("header", ['W/"x"', "", '"x"'])
    async def test_any_other_value_is_stale(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
        header: str,
    ) -> None:
        post = await create(database, cache, clients, owner)
        with pytest.raises(errors.PreconditionFailed):
            await update(database, cache, clients, callers, post, owner, if_match=header, title="X")


class TestSlugs:
    """A slug conflicts only with posts that whoever writes the post can see: the author's own,
    and, once the post is published, the published ones (docs/spec.md, Slugs)."""

    async def test_a_taken_slug_is_a_conflict_on_create(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        await create(database, cache, clients, owner, slug="taken")
        with pytest.raises(errors.Conflict, match="author already has a post with this slug"):
            await create(database, cache, clients, owner, title="Other", slug="taken")
        assert await post_count(database) == 1

    async def test_a_taken_slug_is_a_conflict_on_update(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        await create(database, cache, clients, owner, slug="taken")
        post = await create(database, cache, clients, owner, slug="mine")
        with pytest.raises(errors.Conflict, match="author already has a post with this slug"):
            await update(database, cache, clients, callers, post, owner, slug="taken")
        after = await stored(database, post.id)
        assert after is not None
        assert after.slug == "mine"

    async def test_keeping_the_own_slug_is_no_conflict(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        post = await create(database, cache, clients, owner, slug="mine")
        edited = await update(database, cache, clients, callers, post, owner, slug="mine")
        assert edited.slug == "mine"

    async def test_a_title_whose_slug_is_taken_gets_a_random_suffix(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        first = await create(database, cache, clients, owner, title="Hello, World!")
        second = await create(database, cache, clients, owner, title="Hello, World!")
        assert first.slug == "hello-world"
        assert re.fullmatch(r"hello-world-[0-9a-f]{6}", second.slug), second.slug

    async def test_a_suffixed_slug_stays_within_the_limit(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        title = "a" * (MAX_LENGTH + 30)
        first = await create(database, cache, clients, owner, title=title)
        second = await create(database, cache, clients, owner, title=title)
        assert first.slug == "a" * MAX_LENGTH
        assert len(second.slug) == MAX_LENGTH
        assert re.fullmatch(rf"a{{{MAX_LENGTH - 7}}}-[0-9a-f]{{6}}", second.slug), second.slug

    async def test_a_title_without_letters_falls_back(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        post = await create(database, cache, clients, owner, title="!!!")
        assert post.slug == "post"

    @pytest.mark.parametrize("status", ["draft", "archived"])
    async def test_another_authors_unpublished_slug_is_free(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User, status: str
    ) -> None:
        await create(database, cache, clients, owner, slug="probe", status=status)
        await create(database, cache, clients, owner, title="Hello, World!", status=status)
        stranger = await add_user(database)

        explicit = await create(database, cache, clients, stranger, slug="probe")
        derived = await create(database, cache, clients, stranger, title="Hello, World!")
        published = await create(
            database, cache, clients, stranger, slug="probe-2", status="published"
        )

        assert (explicit.slug, derived.slug, published.slug) == ("probe", "hello-world", "probe-2")

    async def test_another_authors_draft_slug_is_free_on_update(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        await create(database, cache, clients, owner, slug="probe")
        stranger = await add_user(database)
        post = await create(database, cache, clients, stranger, slug="mine")
        edited = await update(database, cache, clients, callers, post, stranger, slug="probe")
        published = await update(
            database, cache, clients, callers, edited, stranger, status="published"
        )
        assert (published.slug, published.status) == ("probe", "published")

    async def test_a_published_slug_conflicts_once_the_post_is_published(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        await create(database, cache, clients, owner, slug="public", status="published")
        stranger = await add_user(database)
        with pytest.raises(errors.Conflict, match="published post already has this slug"):
            await create(database, cache, clients, stranger, slug="public", status="published")

        draft = await create(database, cache, clients, stranger, slug="public")
        with pytest.raises(errors.Conflict, match="published post already has this slug"):
            await update(database, cache, clients, callers, draft, stranger, status="published")
        third = await add_user(database)
        other = await create(database, cache, clients, third, slug="other", status="published")
        with pytest.raises(errors.Conflict, match="published post already has this slug"):
            await update(database, cache, clients, callers, other, third, slug="public")

        after = await stored(database, draft.id)
        assert after is not None
        assert (after.slug, after.status) == ("public", "draft")

    async def test_of_two_drafts_with_one_slug_the_first_published_keeps_it(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        stranger = await add_user(database)
        mine = await create(database, cache, clients, owner, slug="shared")
        theirs = await create(database, cache, clients, stranger, slug="shared")

        await update(database, cache, clients, callers, mine, owner, status="published")
        with pytest.raises(errors.Conflict, match="published post already has this slug"):
            await update(database, cache, clients, callers, theirs, stranger, status="published")

    async def test_a_derived_slug_avoids_published_posts(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        await create(database, cache, clients, owner, title="Hello, World!", status="published")
        stranger = await add_user(database)
        post = await create(database, cache, clients, stranger, title="Hello, World!")
        assert re.fullmatch(r"hello-world-[0-9a-f]{6}", post.slug), post.slug

    async def test_the_database_keeps_published_slugs_unique(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        """Two publishes racing past the check: the partial unique index refuses the second."""
        await create(database, cache, clients, owner, slug="raced", status="published")
        theirs = await create(database, cache, clients, await add_user(database), slug="raced")

        async def publish(uow: UnitOfWork) -> None:
            post = await uow.session.get(Post, theirs.id)
            assert post is not None
            post.status = "published"
            await PostRepository(uow.session).save(post)

        with pytest.raises(errors.Conflict):
            await database.transaction(publish)


class TestCategory:
    async def test_an_unknown_category_is_not_found_with_details_on_create(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        with pytest.raises(errors.NotFound) as raised:
            await create(database, cache, clients, owner, category_id=uuid.uuid4())
        assert raised.value.message == "Category not found."
        assert raised.value.details == (
            errors.FieldProblem("body.categoryId", "No such category.", "not_found"),
        )
        assert await post_count(database) == 0

    async def test_an_unknown_category_is_not_found_with_details_on_update(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        post = await create(database, cache, clients, owner)
        with pytest.raises(errors.NotFound) as raised:
            await update(database, cache, clients, callers, post, owner, category_id=uuid.uuid4())
        assert raised.value.details == (
            errors.FieldProblem("body.categoryId", "No such category.", "not_found"),
        )

    async def test_a_known_category_is_set_and_none_clears_it(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        category = await database.transaction(
            lambda uow: categories_service.create(uow=uow, name="News", slug=None, description=None)
        )
        post = await create(database, cache, clients, owner, category_id=category.id)
        assert post.category_id == category.id
        cleared = await update(database, cache, clients, callers, post, owner, category_id=None)
        assert cleared.category_id is None


class TestPublishing:
    async def test_a_draft_has_no_publication_time(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        post = await create(database, cache, clients, owner)
        assert post.published_at is None

    async def test_created_published_is_published_when_created(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        post = await create(database, cache, clients, owner, status="published")
        assert post.published_at == post.created_at

    async def test_publishing_sets_published_at_once(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        post = await create(database, cache, clients, owner)
        published = await update(database, cache, clients, callers, post, owner, status="published")
        first: datetime | None = published.published_at
        assert first is not None
        assert first >= post.created_at

        edited = await update(database, cache, clients, callers, published, owner, title="Edit")
        drafted = await update(database, cache, clients, callers, edited, owner, status="draft")
        again = await update(database, cache, clients, callers, drafted, owner, status="published")

        assert [edited.published_at, drafted.published_at, again.published_at] == [first] * 3
        after = await stored(database, post.id)
        assert after is not None
        assert after.published_at == first


class TestWhoMayChangeAPost:
    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            ("anonymous", errors.Unauthenticated),
            ("author", errors.NotFound),
            ("editor", None),
            ("admin", None),
        ],
    )
    async def test_a_draft_by_kind_of_caller(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
        kind: str,
        expected: type[errors.AppError] | None,
    ) -> None:
        post = await create(database, cache, clients, owner, title="Draft")
        caller = await someone(database, kind)
        if expected is None:
            edited = await update(database, cache, clients, callers, post, caller, title="Staff")
            assert edited.title == "Staff"
            return
        with pytest.raises(expected):
            await update(database, cache, clients, callers, post, caller, title="Taken over")
        after = await stored(database, post.id)
        assert after is not None
        assert (after.title, after.version) == ("Draft", post.version)

    async def test_another_authors_published_post_is_forbidden_not_hidden(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        post = await create(database, cache, clients, owner, status="published")
        other = await add_user(database)
        with pytest.raises(errors.Forbidden):
            await update(database, cache, clients, callers, post, other, title="Mine now")

    async def test_a_hidden_post_reads_exactly_like_a_missing_one(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        draft = await create(database, cache, clients, owner)
        caller = callers.of("updatePost", await add_user(database))

        async def edit(post_id: uuid.UUID) -> errors.AppError:
            with pytest.raises(errors.NotFound) as raised:
                await database.transaction(
                    lambda uow: service.update(
                        uow=uow,
                        settings=clients.settings,
                        caller=caller,
                        post_id=post_id,
                        if_match="*",
                        changes={"title": "x"},
                    )
                )
            return raised.value

        hidden, missing = await edit(draft.id), await edit(uuid.uuid4())
        assert (hidden.message, hidden.details) == (missing.message, missing.details)

    async def test_an_unknown_post_is_not_found(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        with pytest.raises(errors.NotFound, match="Post not found"):
            await database.transaction(
                lambda uow: service.update(
                    uow=uow,
                    settings=clients.settings,
                    caller=callers.of("updatePost", owner),
                    post_id=uuid.uuid4(),
                    if_match="*",
                    changes={"title": "x"},
                )
            )


class TestInvalidation:
    async def test_an_update_tombstones_its_keys_once_committed(
        self,
        database: Database,
        cache: Cache,
        store: Store,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        post = await create(database, cache, clients, owner, slug="old", status="published")
        keys = [
            posts_cache.by_id(post.id),
            posts_cache.by_slug("old"),
            posts_cache.by_slug("new"),
        ]
        await plant(store, post, *keys)
        namespace = await cache.namespace(posts_cache.POSTS_NAMESPACE)
        seen_before_commit: list[bytes | None] = []

        async def unit(uow: UnitOfWork) -> Post:
            edited = await service.update(
                uow=uow,
                settings=clients.settings,
                caller=callers.of("updatePost", owner),
                post_id=post.id,
                if_match=service.etag(post),
                changes={"slug": "new"},
            )
            seen_before_commit.extend([await store.get(key) for key in keys])
            return edited

        await database.transaction(unit)

        assert seen_before_commit == [planted(post)] * 3
        assert [await tombstoned(store, key) for key in keys] == [True, True, True]
        assert await cache.namespace(posts_cache.POSTS_NAMESPACE) == (namespace or 0) + 1

    async def test_a_rolled_back_update_invalidates_nothing(
        self,
        database: Database,
        cache: Cache,
        store: Store,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        post = await create(database, cache, clients, owner, slug="old", status="published")
        keys = [posts_cache.by_id(post.id), posts_cache.by_slug("old")]
        await plant(store, post, *keys)
        namespace = await cache.namespace(posts_cache.POSTS_NAMESPACE)

        async def unit(uow: UnitOfWork) -> None:
            await service.update(
                uow=uow,
                settings=clients.settings,
                caller=callers.of("updatePost", owner),
                post_id=post.id,
                if_match=service.etag(post),
                changes={"title": "Never"},
            )
            raise Rollback()

        with pytest.raises(Rollback):
            await database.transaction(unit)

        assert [await store.get(key) for key in keys] == [planted(post)] * 2
        assert await cache.namespace(posts_cache.POSTS_NAMESPACE) == namespace
        after = await stored(database, post.id)
        assert after is not None
        assert after.title == "Hello world"

    async def test_a_create_retires_every_list_page_once_committed(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        before = await cache.namespace(posts_cache.POSTS_NAMESPACE)
        await create(database, cache, clients, owner)
        assert await cache.namespace(posts_cache.POSTS_NAMESPACE) == (before or 0) + 1

    async def test_a_delete_trashes_the_post_and_retires_its_keys_then_the_purge_its_uploads(
        self,
        database: Database,
        cache: Cache,
        store: Store,
        clients: AwsClients,
        callers: Callers,
        owner: User,
    ) -> None:
        post = await create(database, cache, clients, owner, slug="gone", status="published")
        upload = f"{uploads_prefix(post.id)}{uuid.uuid4()}"
        await put_object(clients, key=upload, body=b"x")
        keys = [posts_cache.by_id(post.id), posts_cache.by_slug("gone")]
        await plant(store, post, *keys)

        await database.transaction(
            lambda uow: service.delete(
                uow=uow,
                caller=callers.of("deletePost", owner),
                post_id=post.id,
            )
        )

        trashed = await stored(database, post.id)
        assert trashed is not None
        assert trashed.deleted_at is not None
        assert [await tombstoned(store, key) for key in keys] == [True, True]
        assert await s3.head(clients, key=upload) is not None  # until the purge

        retention = timedelta(days=clients.settings.trash_retention_days, seconds=1)
        later = trashed.deleted_at + retention
        await trash.purge_due(database=database, settings=clients.settings, now=later)

        assert await stored(database, post.id) is None
        assert await s3.head(clients, key=upload) is None


class TestViews:
    @pytest.mark.parametrize(
        ("kind", "counted"),
        [("anonymous", False), ("author", False), ("editor", True), ("admin", True)],
    )
    async def test_a_draft_is_counted_only_for_who_may_see_it(
        self,
        database: Database,
        cache: Cache,
        clients: AwsClients,
        callers: Callers,
        owner: User,
        kind: str,
        counted: bool,
    ) -> None:
        post = await create(database, cache, clients, owner)
        viewer = await someone(database, kind)

        async def view(uow: UnitOfWork) -> int:
            caller = callers.of("recordPostView", viewer)
            return await service.record_view(
                uow=uow,
                clients=clients,
                cache=cache,
                caller=caller,
                post_id=post.id,
                viewer=views_service.Viewer(
                    user_id=viewer.id if viewer else None, address="192.0.2.1", user_agent=""
                ),
            )

        if counted:
            assert await database.transaction(view) == 1
        else:
            with pytest.raises(errors.NotFound):
                await database.transaction(view)
        assert await views_service.count(clients=clients, post_id=post.id) == int(counted)


class TestPages:
    async def test_a_cursor_follows_the_last_row_until_the_end(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        made = [await create(database, cache, clients, owner, title=f"P{i}") for i in range(3)]
        where = PostFilter(visibility="all", author_id=owner.id)
        key = cache.settings.cursor_key()

        async def page(cursor_text: str | None, limit: int) -> service.Page:
            return await database.transaction(
                lambda uow: service.list_page(
                    uow=uow,
                    clients=clients,
                    where=where,
                    cursor_text=cursor_text,
                    limit=limit,
                    key=key,
                )
            )

        first = await page(None, 2)
        assert [p.id for p in first.posts] == [made[2].id, made[1].id]
        assert first.next_cursor is not None
        rest = await page(first.next_cursor, 2)
        assert [p.id for p in rest.posts] == [made[0].id]
        assert rest.next_cursor is None
        assert rest.view_counts == {made[0].id: 0}
        exact = await page(None, 3)
        assert (len(exact.posts), exact.next_cursor) == (3, None)

    async def test_a_cursor_of_other_filters_is_refused(
        self, database: Database, cache: Cache, clients: AwsClients, owner: User
    ) -> None:
        for i in range(2):
            await create(database, cache, clients, owner, title=f"P{i}")
        key = cache.settings.cursor_key()

        async def page(where: PostFilter, cursor_text: str | None) -> service.Page:
            return await database.transaction(
                lambda uow: service.list_page(
                    uow=uow, clients=clients, where=where, cursor_text=cursor_text, limit=1, key=key
                )
            )

        first = await page(PostFilter(visibility="all", author_id=owner.id), None)
        assert first.next_cursor is not None
        with pytest.raises(errors.InvalidCursor, match="other filters"):
            await page(PostFilter(visibility="all", status="draft"), first.next_cursor)
        with pytest.raises(errors.InvalidCursor):
            await page(PostFilter(visibility="all", author_id=owner.id), first.next_cursor + "x")
