from __future__ import annotations

from uuid import UUID

from app.http.context import RequestContext
from app.platform.db import models as m
from app.posts import history, revisions
from app.posts import service as posts_service
from generated.models import (
    PageMeta,
    PostEnvelope,
    PostRevision,
    PostRevisionEnvelope,
    PostRevisionListEnvelope,
    PostSnapshot,
    RevisionField,
)
from handlers.posts import to_post


def to_revision(revision: m.PostRevision) -> PostRevision:
    return PostRevision(
        id=revision.id,
        postId=revision.post_id,
        number=revision.number,
        authorId=revision.author_id,
        createdAt=revision.created_at,
        changes=[RevisionField(name) for name in history.changes_of(revision)],
        snapshot=PostSnapshot.model_validate(history.snapshot_of(revision)),
    )


async def list_post_revisions(
    ctx: RequestContext, *, cursor: str | None, limit: int, post_id: UUID
) -> PostRevisionListEnvelope:
    page = await revisions.list_page(
        uow=ctx.uow,
        caller=ctx.caller,
        post_id=post_id,
        cursor_text=cursor,
        limit=limit,
        key=ctx.resources.settings.cursor_key(),
    )
    return PostRevisionListEnvelope(
        success=True,
        data=[to_revision(revision) for revision in page.revisions],
        error=None,
        meta=PageMeta(nextCursor=page.next_cursor, limit=limit),
    )


async def get_post_revision(
    ctx: RequestContext, *, post_id: UUID, revision_id: UUID
) -> PostRevisionEnvelope:
    revision = await revisions.get(
        uow=ctx.uow, caller=ctx.caller, post_id=post_id, revision_id=revision_id
    )
    return PostRevisionEnvelope(success=True, data=to_revision(revision), error=None)


async def restore_post_revision(
    ctx: RequestContext, *, if_match: str, post_id: UUID, revision_id: UUID
) -> PostEnvelope:
    post = await revisions.restore(
        uow=ctx.uow,
        settings=ctx.resources.settings,
        caller=ctx.caller,
        post_id=post_id,
        revision_id=revision_id,
        if_match=if_match,
    )
    view_count = await posts_service.view_count(
        clients=ctx.resources.aws, cache=ctx.resources.cache, post_id=post.id
    )
    ctx.response.headers["ETag"] = posts_service.etag(post)
    return PostEnvelope(success=True, data=to_post(post, view_count=view_count), error=None)
