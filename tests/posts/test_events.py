from __future__ import annotations

import json
import uuid

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.platform.db.database import Database
from app.platform.db.models import Post
from app.platform.db.unit_of_work import UnitOfWork
from app.posts import service as posts_service
from app.settings import Settings
from tests.fixtures.actors import Actor
from tests.fixtures.aws import Subscriber
from tests.helpers import data


async def test_publishing_emits_post_published_once(
    client: httpx.AsyncClient, author: Actor, subscriber: Subscriber
) -> None:
    post = data(await client.post("/v1/posts", json={"title": "Soon"}, headers=author.headers), 201)
    assert await subscriber.events() == []
    path = f"/v1/posts/{post['id']}"
    current = await client.get(path, headers=author.headers)
    published = await client.patch(
        path,
        json={"status": "published"},
        headers={**author.headers, "If-Match": current.headers["ETag"]},
    )
    body = data(published)
    edited = await client.patch(
        path,
        json={"title": "Edited"},
        headers={**author.headers, "If-Match": published.headers["ETag"]},
    )
    data(edited)
    received = await subscriber.events()
    assert [json.loads(json.dumps(e)) for e in received] == [
        {
            "type": "post.published",
            "postId": post["id"],
            "authorId": str(author.user_id),
            "slug": post["slug"],
            "publishedAt": received[0]["publishedAt"],
            "outboxId": received[0]["outboxId"],
        }
    ]
    assert uuid.UUID(received[0]["outboxId"])
    assert received[0]["publishedAt"][:19] == body["publishedAt"][:19]


class CommitConflict(Exception):
    """What Aurora DSQL's driver reports when optimistic concurrency fails at COMMIT."""

    sqlstate = "40001"


def conflict_at_first_commit(uow: UnitOfWork) -> None:
    def before_commit(session: Session) -> None:
        if uow.attempt == 1:
            raise DBAPIError("COMMIT", None, CommitConflict("please retry: (OC000)"))

    event.listen(uow.session.sync_session, "before_commit", before_commit, once=True)


async def publish(uow: UnitOfWork, *, settings: Settings, author_id: uuid.UUID) -> Post:
    return await posts_service.create(
        uow=uow,
        settings=settings,
        author_id=author_id,
        title="Retried",
        body="",
        slug=None,
        category_id=None,
        status="published",
    )


async def test_a_create_retried_after_a_commit_conflict_announces_the_committed_post_once(
    database: Database, settings: Settings, author: Actor, subscriber: Subscriber
) -> None:
    attempts: list[uuid.UUID] = []

    async def unit(uow: UnitOfWork) -> Post:
        conflict_at_first_commit(uow)
        assert author.user_id is not None
        post = await publish(uow, settings=settings, author_id=author.user_id)
        attempts.append(post.id)
        return post

    committed = await database.transaction(unit)

    assert len(attempts) == 2
    assert attempts[0] != committed.id  # the first attempt drew an id that never existed
    received = await subscriber.events()
    assert [e["postId"] for e in received] == [str(committed.id)]
    count = await database.transaction(
        lambda uow: uow.session.scalar(select(func.count()).select_from(Post))
    )
    assert count == 1


async def test_a_create_that_never_commits_announces_nothing(
    database: Database, settings: Settings, author: Actor, subscriber: Subscriber
) -> None:
    class Refused(Exception):
        pass

    async def unit(uow: UnitOfWork) -> None:
        assert author.user_id is not None
        await publish(uow, settings=settings, author_id=author.user_id)
        raise Refused()

    with pytest.raises(Refused):
        await database.transaction(unit)

    assert await subscriber.events() == []
