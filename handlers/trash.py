from __future__ import annotations

from uuid import UUID

from app.http.context import RequestContext
from app.platform.db import models as m
from app.posts import service as posts_service
from app.posts import trash
from app.settings import Settings
from generated.models import PageMeta, PostEnvelope, TrashedPost, TrashedPostListEnvelope
from handlers.posts import to_post


def to_trashed_post(post: m.Post, *, view_count: int | None, settings: Settings) -> TrashedPost:
    assert post.deleted_at is not None
    shown = to_post(post, view_count=view_count).model_dump()
    return TrashedPost(
        **shown, deletedAt=post.deleted_at, purgeAt=trash.purge_at(post, settings=settings)
    )


async def restore_post(ctx: RequestContext, *, post_id: UUID) -> PostEnvelope:
    post = await trash.restore(
        uow=ctx.uow, settings=ctx.resources.settings, caller=ctx.caller, post_id=post_id
    )
    view_count = await posts_service.view_count(
        clients=ctx.resources.aws, cache=ctx.resources.cache, post_id=post.id
    )
    ctx.response.headers["ETag"] = posts_service.etag(post)
    return PostEnvelope(success=True, data=to_post(post, view_count=view_count), error=None)


async def list_trashed_posts(
    ctx: RequestContext, *, cursor: str | None, limit: int
) -> TrashedPostListEnvelope:
    settings = ctx.resources.settings
    page = await trash.list_page(
        uow=ctx.uow,
        clients=ctx.resources.aws,
        caller=ctx.caller,
        visibility=ctx.decision.visibility or "own",
        cursor_text=cursor,
        limit=limit,
        key=settings.cursor_key(),
    )
    return TrashedPostListEnvelope(
        success=True,
        data=[
            to_trashed_post(p, view_count=page.view_counts[p.id], settings=settings)
            for p in page.posts
        ],
        error=None,
        meta=PageMeta(nextCursor=page.next_cursor, limit=limit),
    )
