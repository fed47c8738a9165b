"""Scheduled publishing with the clock passed in: a future publishAt on drafts only, and the
sweeper publishing each due post once, however many sweepers run, as a manual publish would."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from app import errors
from app.platform.aws.clients import AwsClients
from app.platform.db.database import Database
from app.platform.db.models import Post, User, utcnow
from app.posts import history, scheduling, service
from app.posts.repository import PostRepository, RevisionRepository
from app.settings import Settings
from tests.fixtures.aws import Subscriber
from tests.fixtures.checkpoints import Rendezvous
from tests.fixtures.domains import Callers, add_post, add_user, change_post

pytestmark = pytest.mark.usefixtures("real_redis")


async def create(
    database: Database,
    settings: Settings,
    author: User,
    *,
    publish_at: datetime | None,
    status: str = "draft",
    slug: str | None = None,
) -> Post:
    return await add_post(
        database, settings, author, title="Soon", slug=slug, status=status, publish_at=publish_at
    )


async def update(
    database: Database, settings: Settings, callers: Callers, post: Post, by: User, **changes: Any
) -> Post:
    return await change_post(database, settings, callers.of("updatePost", by), post, **changes)


async def sweep(database: Database, settings: Settings, now: datetime) -> scheduling.Sweep:
    return await scheduling.publish_due(database=database, settings=settings, now=now)


async def current(database: Database, post_id: uuid.UUID) -> Post:
    post = await database.transaction(lambda uow: PostRepository(uow.session).get(post_id))
    assert post is not None
    return post


@pytest.fixture
async def owner(database: Database) -> User:
    return await add_user(database)


@pytest.fixture
def soon() -> datetime:
    return utcnow() + timedelta(hours=1)


class TestCheck:
    @pytest.mark.parametrize("delta", [timedelta(0), timedelta(seconds=-1)])
    def test_a_time_not_in_the_future_is_refused(self, delta: timedelta) -> None:
        now = utcnow()
        with pytest.raises(errors.ValidationFailed) as raised:
            scheduling.check(now + delta, status="draft", now=now)
        assert [d.location for d in raised.value.details] == ["body.publishAt"]

    @pytest.mark.parametrize("status", ["published", "archived"])
    def test_only_a_draft_is_scheduled(self, status: str) -> None:
        now = utcnow()
        with pytest.raises(errors.ValidationFailed) as raised:
            scheduling.check(now + timedelta(minutes=1), status=status, now=now)
        assert [d.location for d in raised.value.details] == ["body.publishAt"]

    def test_none_and_a_future_draft_pass(self) -> None:
        now = utcnow()
        scheduling.check(None, status="published", now=now)
        scheduling.check(now + timedelta(microseconds=1), status="draft", now=now)

    async def test_an_update_that_publishes_with_a_time_is_refused_and_writes_nothing(
        self,
        database: Database,
        settings: Settings,
        callers: Callers,
        owner: User,
        soon: datetime,
    ) -> None:
        post = await create(database, settings, owner, publish_at=None)
        with pytest.raises(errors.ValidationFailed):
            await update(
                database, settings, callers, post, owner, status="published", publish_at=soon
            )
        assert (await current(database, post.id)).version == post.version


class TestSchedule:
    async def test_publishing_by_hand_or_archiving_unschedules(
        self,
        database: Database,
        settings: Settings,
        callers: Callers,
        owner: User,
        soon: datetime,
    ) -> None:
        for status in ("published", "archived"):
            post = await create(database, settings, owner, publish_at=soon)
            changed = await update(database, settings, callers, post, owner, status=status)
            assert changed.publish_at is None
            assert (await sweep(database, settings, soon)).published == 0

    async def test_a_rescheduled_post_goes_out_at_its_new_time(
        self,
        database: Database,
        settings: Settings,
        callers: Callers,
        owner: User,
        soon: datetime,
    ) -> None:
        post = await create(database, settings, owner, publish_at=soon)
        later = soon + timedelta(hours=1)
        await update(database, settings, callers, post, owner, publish_at=later)

        assert (await sweep(database, settings, soon)).published == 0
        assert (await sweep(database, settings, later)).published == 1

    async def test_a_post_scheduled_then_unscheduled_is_never_published(
        self,
        database: Database,
        settings: Settings,
        callers: Callers,
        owner: User,
        soon: datetime,
        subscriber: Subscriber,
    ) -> None:
        post = await create(database, settings, owner, publish_at=soon)
        await update(database, settings, callers, post, owner, publish_at=None)

        assert await sweep(database, settings, soon + timedelta(days=1)) == scheduling.Sweep()
        assert (await current(database, post.id)).status == "draft"
        assert await subscriber.events() == []

    async def test_a_trashed_scheduled_post_is_not_published(
        self,
        database: Database,
        settings: Settings,
        callers: Callers,
        owner: User,
        soon: datetime,
    ) -> None:
        post = await create(database, settings, owner, publish_at=soon)
        await database.transaction(
            lambda uow: service.delete(
                uow=uow, caller=callers.of("deletePost", owner), post_id=post.id
            )
        )
        assert (await sweep(database, settings, soon)).published == 0


class TestSweep:
    async def test_nothing_is_published_before_its_time(
        self, database: Database, settings: Settings, owner: User, soon: datetime
    ) -> None:
        post = await create(database, settings, owner, publish_at=soon)
        assert (await sweep(database, settings, soon - timedelta(microseconds=1))).published == 0
        assert (await current(database, post.id)).status == "draft"

    async def test_a_due_post_is_published_as_by_hand_once(
        self,
        database: Database,
        settings: Settings,
        owner: User,
        soon: datetime,
        subscriber: Subscriber,
    ) -> None:
        post = await create(database, settings, owner, publish_at=soon)

        first = await sweep(database, settings, soon)
        again = await sweep(database, settings, soon + timedelta(minutes=1))

        assert (first.published, again.published) == (1, 0)
        published = await current(database, post.id)
        assert (published.status, published.publish_at) == ("published", None)
        assert published.published_at == soon
        events = await subscriber.events()
        assert [(e["type"], e["postId"]) for e in events] == [("post.published", str(post.id))]
        revisions = await database.transaction(
            lambda uow: RevisionRepository(uow.session).page(post_id=post.id, before=None, limit=5)
        )
        assert [history.changes_of(r) for r in revisions] == [["status"], list(history.FIELDS)]
        assert revisions[0].author_id == owner.id

    async def test_two_concurrent_sweepers_publish_and_announce_once(
        self,
        settings: Settings,
        clients: AwsClients,
        database: Database,
        owner: User,
        soon: datetime,
        subscriber: Subscriber,
        rendezvous: Rendezvous,
    ) -> None:
        post = await create(database, settings, owner, publish_at=soon)
        database.checkpoint = rendezvous
        rendezvous.arm(scheduling.PUBLISHING, 2)

        results = await asyncio.gather(
            sweep(database, settings, soon), sweep(database, settings, soon)
        )

        assert rendezvous.held[scheduling.PUBLISHING] == 2  # both read it as due
        assert sorted(r.published for r in results) == [0, 1]
        assert (await current(database, post.id)).status == "published"
        assert [e["type"] for e in await subscriber.events()] == ["post.published"]

    async def test_a_slug_a_published_post_took_meanwhile_leaves_it_an_unscheduled_draft(
        self,
        database: Database,
        settings: Settings,
        owner: User,
        soon: datetime,
        subscriber: Subscriber,
    ) -> None:
        post = await create(database, settings, owner, publish_at=soon, slug="wanted")
        other = await add_user(database)
        await create(database, settings, other, publish_at=None, status="published", slug="wanted")
        await subscriber.events()

        swept = await sweep(database, settings, soon)
        later = await sweep(database, settings, soon + timedelta(minutes=1))

        assert (swept, later) == (scheduling.Sweep(unscheduled=1), scheduling.Sweep())
        stayed = await current(database, post.id)
        assert (stayed.status, stayed.publish_at, stayed.slug) == ("draft", None, "wanted")
        assert await subscriber.events() == []
        revisions = await database.transaction(
            lambda uow: RevisionRepository(uow.session).page(post_id=post.id, before=None, limit=1)
        )
        assert history.changes_of(revisions[0]) == []
