from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.responses import Response

from app import events
from app.authz import Resource
from app.cache import http as http_cache
from app.cache import invalidation, keys
from app.cache.entry import Entry, Loaded
from app.cache.fastpath import post_resource
from app.core.context import RequestContext
from app.db import models as m
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
    ViewCount,
    ViewCountEnvelope,
)

DEFAULT_LIMIT = 20


def to_post(post: m.Post, *, view_count: int | None) -> Post:
    return Post(
        id=post.id,
        title=post.title,
        slug=post.slug,
        body=post.body,
        status=PostStatus(post.status),
        categoryId=post.category_id,
        authorId=post.author_id,
        publishedAt=post.published_at,
        createdAt=post.created_at,
        updatedAt=post.updated_at,
        viewCount=view_count,
    )


def _resource(post: m.Post) -> Resource:
    return Resource(type="post", owner_id=post.author_id, status=post.status)


async def _loaded(ctx: RequestContext, post: m.Post) -> Loaded:
    """Only published posts are shared through the cache; drafts are read from the database.

    The cached body keeps the view count it was read with, so a cached read lags behind the
    counter by at most the post TTL.
    """
    view_count = await views_service.count(clients=ctx.state.aws, post_id=post.id)
    envelope = PostEnvelope(success=True, data=to_post(post, view_count=view_count), error=None)
    entry = Entry(
        etag=posts_service.etag(post),
        body=envelope.model_dump_json().encode(),
        facts=(str(post.author_id), post.status),
    )
    return Loaded(entry, shareable=post.status == "published")


def _scope(ctx: RequestContext, visibility: str) -> str:
    """The list key's visibility scope: who else may be served the same page."""
    if visibility == "published_or_own" and ctx.principal is not None:
        return f"own-{ctx.principal.user_id}"
    return visibility


def _envelope(ctx: RequestContext, post: m.Post, *, view_count: int | None) -> PostEnvelope:
    ctx.response.headers["ETag"] = posts_service.etag(post)
    return PostEnvelope(success=True, data=to_post(post, view_count=view_count), error=None)


async def list_posts(
    ctx: RequestContext,
    *,
    if__none__match: str | None,
    cursor: str | None,
    limit: int | None,
    category_id: UUID | None,
    author_id: UUID | None,
    status: PostStatus | None,
    q: str | None,
) -> Response:
    limit = limit or DEFAULT_LIMIT
    where = PostFilter(
        visibility=ctx.decision.visibility or "published",
        viewer_id=ctx.principal.user_id if ctx.principal else None,
        category_id=category_id,
        author_id=author_id,
        status=status.value if status else None,
        title_contains=q,
    )

    async def load() -> Loaded:
        page = await posts_service.list_page(
            session=ctx.session,
            where=where,
            cursor_text=cursor,
            limit=limit,
            key=ctx.state.settings.cursor_key(),
        )
        counts = await views_service.counts(
            clients=ctx.state.aws, post_ids=[p.id for p in page.posts]
        )
        envelope = PostListEnvelope(
            success=True,
            data=[to_post(p, view_count=counts[p.id]) for p in page.posts],
            error=None,
            meta=PageMeta(nextCursor=page.next_cursor, limit=limit),
        )
        return Loaded(Entry.of_body(envelope.model_dump_json().encode()))

    cache = ctx.state.cache
    namespace = await cache.namespace(keys.POSTS_NAMESPACE)
    if namespace is None:
        entry = (await load()).entry
    else:
        params = (cursor, limit, category_id, author_id, status, q)
        key = keys.post_list(
            namespace=namespace, scope=_scope(ctx, where.visibility), params=params
        )
        entry = await cache.read(key, ttl=ctx.state.settings.cache_list_ttl_seconds, load=load)
    return http_cache.respond(entry, if_none_match=if__none__match)


async def create_post(ctx: RequestContext, *, body: PostCreate) -> PostEnvelope:
    post = await posts_service.create(
        session=ctx.session,
        author_id=ctx.require_principal().user_id,
        title=body.title.root,
        body=body.body.root if body.body else "",
        slug=body.slug.root if body.slug else None,
        category_id=body.categoryId,
        status=body.status.value if body.status else "draft",
    )
    await events.announce(clients=ctx.state.aws, post=post, was_published=False)
    ctx.response.headers["Location"] = f"/v1/posts/{post.id}"
    invalidation.post_created(ctx)
    return _envelope(ctx, post, view_count=0)


async def get_post_by_slug(
    ctx: RequestContext, *, if__none__match: str | None, slug: str
) -> Response:
    async def load() -> Loaded:
        return await _loaded(ctx, await posts_service.get_by_slug(session=ctx.session, slug=slug))

    ttl = ctx.state.settings.cache_post_ttl_seconds
    entry = await ctx.state.cache.read(keys.post_by_slug(slug), ttl=ttl, load=load)
    ctx.authorize(post_resource(entry))
    return http_cache.respond(entry, if_none_match=if__none__match)


async def get_post(ctx: RequestContext, *, if__none__match: str | None, post_id: UUID) -> Response:
    async def load() -> Loaded:
        return await _loaded(ctx, await posts_service.get(session=ctx.session, post_id=post_id))

    ttl = ctx.state.settings.cache_post_ttl_seconds
    entry = await ctx.state.cache.read(keys.post_by_id(post_id), ttl=ttl, load=load)
    ctx.authorize(post_resource(entry))
    return http_cache.respond(entry, if_none_match=if__none__match)


def _changes(body: PostUpdate) -> dict[str, Any]:
    fields = body.model_fields_set
    changes: dict[str, Any] = {}
    if "title" in fields and body.title is not None:
        changes["title"] = body.title.root
    if "body" in fields and body.body is not None:
        changes["body"] = body.body.root
    if "slug" in fields and body.slug is not None:
        changes["slug"] = body.slug.root
    if "categoryId" in fields:
        changes["category_id"] = body.categoryId
    if "status" in fields and body.status is not None:
        changes["status"] = body.status.value
    return changes


async def update_post(
    ctx: RequestContext, *, if__match: str, post_id: UUID, body: PostUpdate
) -> PostEnvelope:
    post = await posts_service.get(session=ctx.session, post_id=post_id)
    ctx.authorize(_resource(post))
    old_slug, was_published = post.slug, post.status == "published"
    post = await posts_service.update(
        session=ctx.session, post=post, if_match=if__match, changes=_changes(body)
    )
    await events.announce(clients=ctx.state.aws, post=post, was_published=was_published)
    invalidation.post_changed(ctx, post_id=post.id, slugs=[old_slug, post.slug])
    return _envelope(
        ctx, post, view_count=await views_service.count(clients=ctx.state.aws, post_id=post.id)
    )


async def delete_post(ctx: RequestContext, *, post_id: UUID) -> None:
    post = await posts_service.get(session=ctx.session, post_id=post_id)
    ctx.authorize(_resource(post))
    await posts_service.delete(session=ctx.session, clients=ctx.state.aws, post=post)
    invalidation.post_changed(ctx, post_id=post_id, slugs=[post.slug])


async def record_post_view(ctx: RequestContext, *, post_id: UUID) -> ViewCountEnvelope:
    post = await posts_service.get(session=ctx.session, post_id=post_id)
    ctx.authorize(_resource(post))
    count = await views_service.record(clients=ctx.state.aws, post_id=post.id)
    return ViewCountEnvelope(
        success=True, data=ViewCount(postId=post.id, viewCount=count), error=None
    )
