from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.responses import Response

from app.http import conditional
from app.http.context import RequestContext
from app.platform.db import models as m
from app.posts import service as posts_service
from app.posts.repository import PostFilter
from app.views import service as views_service
from generated.models import (
    PageMeta,
    Post,
    PostCreate,
    PostEnvelope,
    PostListEnvelope,
    PostStatus,
    PostUpdate,
    Slug,
    TagRef,
    ViewCount,
    ViewCountEnvelope,
)


def to_post(post: m.Post, *, view_count: int | None) -> Post:
    return Post(
        id=post.id,
        title=post.title,
        slug=post.slug,
        body=post.body,
        status=PostStatus(post.status),
        categoryId=post.category_id,
        authorId=post.author_id,
        tags=[TagRef(id=tag.id, name=tag.name, slug=tag.slug) for tag in post.tags],
        publishedAt=post.published_at,
        publishAt=post.publish_at,
        createdAt=post.created_at,
        updatedAt=post.updated_at,
        viewCount=view_count,
    )


def render_post(post: m.Post, view_count: int | None) -> bytes:
    """The one representation of a post, cached or not."""
    envelope = PostEnvelope(success=True, data=to_post(post, view_count=view_count), error=None)
    return envelope.model_dump_json().encode()


def _envelope(ctx: RequestContext, post: m.Post, *, view_count: int | None) -> PostEnvelope:
    ctx.response.headers["ETag"] = posts_service.etag(post)
    return PostEnvelope(success=True, data=to_post(post, view_count=view_count), error=None)


async def list_posts(
    ctx: RequestContext,
    *,
    if_none_match: str | None,
    cursor: str | None,
    limit: int,
    category_id: UUID | None,
    author_id: UUID | None,
    status: PostStatus | None,
    tag: Slug | None,
    q: str | None,
) -> Response:
    where = PostFilter(
        visibility=ctx.decision.visibility or "published",
        viewer_id=ctx.principal.user_id if ctx.principal else None,
        category_id=category_id,
        author_id=author_id,
        status=status.value if status else None,
        title_contains=q,
        tag=tag,
    )

    def render(page: posts_service.Page) -> bytes:
        envelope = PostListEnvelope(
            success=True,
            data=[to_post(p, view_count=page.view_counts[p.id]) for p in page.posts],
            error=None,
            meta=PageMeta(nextCursor=page.next_cursor, limit=limit),
        )
        return envelope.model_dump_json().encode()

    entry = await posts_service.list_entry(
        uow=ctx.uow,
        cache=ctx.resources.cache,
        clients=ctx.resources.aws,
        caller=ctx.caller,
        where=where,
        cursor_text=cursor,
        limit=limit,
        render=render,
    )
    return conditional.respond(entry, if_none_match=if_none_match)


async def create_post(ctx: RequestContext, *, body: PostCreate) -> PostEnvelope:
    post = await posts_service.create(
        uow=ctx.uow,
        settings=ctx.resources.settings,
        author_id=ctx.require_principal().user_id,
        title=body.title,
        body=body.body or "",
        slug=body.slug,
        category_id=body.categoryId,
        status=body.status.value if body.status else "draft",
        tag_ids=body.tagIds or (),
        publish_at=body.publishAt,
    )
    ctx.response.headers["Location"] = f"/v1/posts/{post.id}"
    return _envelope(ctx, post, view_count=0)


async def _read(
    ctx: RequestContext, *, if_none_match: str | None, post_id: UUID | None, slug: str | None
) -> Response:
    entry = await posts_service.read(
        uow=ctx.uow,
        cache=ctx.resources.cache,
        clients=ctx.resources.aws,
        caller=ctx.caller,
        render=render_post,
        post_id=post_id,
        slug=slug,
    )
    return conditional.respond(entry, if_none_match=if_none_match)


async def get_post_by_slug(
    ctx: RequestContext, *, if_none_match: str | None, slug: str
) -> Response:
    return await _read(ctx, if_none_match=if_none_match, post_id=None, slug=slug)


async def get_post(ctx: RequestContext, *, if_none_match: str | None, post_id: UUID) -> Response:
    return await _read(ctx, if_none_match=if_none_match, post_id=post_id, slug=None)


def _changes(body: PostUpdate) -> dict[str, Any]:
    fields = body.model_fields_set
    changes: dict[str, Any] = {}
    if "title" in fields and body.title is not None:
        changes["title"] = body.title
    if "body" in fields and body.body is not None:
        changes["body"] = body.body
    if "slug" in fields and body.slug is not None:
        changes["slug"] = body.slug
    if "categoryId" in fields:
        changes["category_id"] = body.categoryId
    if "status" in fields and body.status is not None:
        changes["status"] = body.status.value
    if "tagIds" in fields and body.tagIds is not None:
        changes["tag_ids"] = body.tagIds
    if "publishAt" in fields:
        changes["publish_at"] = body.publishAt
    return changes


async def update_post(
    ctx: RequestContext, *, if_match: str, post_id: UUID, body: PostUpdate
) -> PostEnvelope:
    post = await posts_service.update(
        uow=ctx.uow,
        settings=ctx.resources.settings,
        caller=ctx.caller,
        post_id=post_id,
        if_match=if_match,
        changes=_changes(body),
    )
    view_count = await posts_service.view_count(
        clients=ctx.resources.aws, cache=ctx.resources.cache, post_id=post.id
    )
    return _envelope(ctx, post, view_count=view_count)


async def delete_post(ctx: RequestContext, *, post_id: UUID) -> None:
    await posts_service.delete(
        uow=ctx.uow,
        caller=ctx.caller,
        post_id=post_id,
    )


async def record_post_view(ctx: RequestContext, *, post_id: UUID) -> ViewCountEnvelope:
    viewer = views_service.Viewer(
        user_id=ctx.principal.user_id if ctx.principal else None,
        address=ctx.client_ip,
        user_agent=ctx.request.headers.get("user-agent", ""),
    )
    count = await posts_service.record_view(
        uow=ctx.uow,
        clients=ctx.resources.aws,
        cache=ctx.resources.cache,
        caller=ctx.caller,
        post_id=post_id,
        viewer=viewer,
    )
    return ViewCountEnvelope(
        success=True, data=ViewCount(postId=post_id, viewCount=count), error=None
    )
