"""Posts: slugs, publishing, optimistic concurrency, keyset pagination and cached reads."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

from app import errors
from app.categories.repository import CategoryRepository
from app.platform import cursor
from app.platform.authz import Caller
from app.platform.aws.clients import AwsClients
from app.platform.cache.entry import Entry, Loaded
from app.platform.cache.reads import Cache
from app.platform.db.models import Post, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.slugs import MAX_LENGTH, slugify
from app.posts import cache as posts_cache
from app.posts import events, history, scheduling, tagging, trash
from app.posts.authz import PostFacts
from app.posts.repository import PostFilter, PostRepository
from app.settings import Settings
from app.views import service as views_service

# Where concurrent updates of one post have checked its ETag and none has written yet.
UPDATING = "posts.update.before_write"
# The representation of a post with its view count, as the API sends it.
Render = Callable[[Post, "int | None"], bytes]


class Page(msgspec.Struct, frozen=True):
    posts: list[Post]
    view_counts: dict[uuid.UUID, int | None]
    next_cursor: str | None


def etag(post: Post) -> str:
    # A tag's rename or deletion changes the representation of its posts but not their
    # version, so the tags they show are part of the validator.
    shown = "".join(f":{tag.id}/{tag.slug}/{tag.name}" for tag in post.tags)
    digest = hashlib.sha256(f"{post.id}:{post.version}{shown}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def etag_matches(post: Post, if_match: str) -> bool:
    current = etag(post)
    candidates = [value.strip() for value in if_match.split(",")]
    return "*" in candidates or current in candidates


async def _check_category(uow: UnitOfWork, category_id: uuid.UUID | None) -> None:
    if category_id is not None and await CategoryRepository(uow.session).get(category_id) is None:
        raise errors.NotFound(
            "Category not found.",
            details=[errors.FieldProblem("body.categoryId", "No such category.", "not_found")],
        )


async def _slug_in_view(
    repository: PostRepository,
    slug: str,
    *,
    author_id: uuid.UUID,
    published: bool,
    post_id: uuid.UUID | None = None,
) -> str | None:
    """Why slug cannot be the slug of this post of author_id; None when it can.

    Only holders that whoever writes the post can see count (docs/spec.md, Slugs): the
    author's other posts, and, for a post that is or becomes published, the published posts.
    Another author's unpublished post never counts, so no answer tells it exists.
    """
    if await repository.slug_held(slug, author_id=author_id, other_than=post_id):
        return "The author already has a post with this slug."
    if published and await repository.slug_held(slug, published=True, other_than=post_id):
        return "A published post already has this slug."
    return None


async def _free_slug(repository: PostRepository, title: str, *, author_id: uuid.UUID) -> str:
    """The title's slug, suffixed when one of the author's posts or a published post holds it:
    one that the post can be published with unless someone publishes it first."""
    slug = slugify(title, fallback="post")
    if await _slug_in_view(repository, slug, author_id=author_id, published=True) is None:
        return slug
    return f"{slug[: MAX_LENGTH - 7].rstrip('-')}-{secrets.token_hex(3)}"


async def get(*, uow: UnitOfWork, post_id: uuid.UUID) -> Post:
    post = await PostRepository(uow.session).get(post_id)
    if post is None:
        raise errors.NotFound.of("post")
    return post


async def get_visible(*, uow: UnitOfWork, caller: Caller, post_id: uuid.UUID) -> Post:
    """The post, when caller may do this operation on it (404 when hidden, else 401/403)."""
    post = await get(uow=uow, post_id=post_id)
    caller.require(PostFacts.of(post).resource())
    return post


async def _loaded(*, clients: AwsClients, cache: Cache, post: Post, render: Render) -> Loaded:
    view_count = await views_service.shown(clients=clients, store=cache.store, post_id=post.id)
    return posts_cache.loaded(post, etag=etag(post), body=render(post, view_count))


async def read(
    *,
    uow: UnitOfWork,
    cache: Cache,
    clients: AwsClients,
    caller: Caller,
    render: Render,
    post_id: uuid.UUID | None = None,
    slug: str | None = None,
) -> Entry:
    """The post by id or by slug as caller may see it, through the cache.

    A slug names the published post that holds it, or else the caller's own post with it
    (several authors' unpublished posts may share a slug); only the former is cached, so the
    slug's cache key, and the loader that fills it, is the same for every caller.
    """
    if post_id is not None:
        key = posts_cache.by_id(post_id)
    elif slug is not None:
        key = posts_cache.by_slug(slug)
    else:
        raise TypeError("read needs post_id or slug")

    async def load() -> Loaded:
        repository = PostRepository(uow.session)
        if post_id is not None:
            post = await repository.shown(post_id)
        else:
            post = await repository.shown_published_by_slug(slug or "")
        if post is None:
            raise errors.NotFound.of("post")
        return await _loaded(clients=clients, cache=cache, post=post, render=render)

    try:
        entry = await posts_cache.cached_read(cache=cache, caller=caller, key=key, load=load)
    except errors.NotFound:
        if slug is None or caller.principal is None:
            raise
        own = await PostRepository(uow.session).get_own_by_slug(
            author_id=caller.principal.user_id, slug=slug
        )
        if own is None:
            raise
        caller.require(PostFacts.of(own).resource())
        return (await _loaded(clients=clients, cache=cache, post=own, render=render)).entry
    assert entry is not None  # with a loader, a miss is loaded
    return entry


async def create(
    *,
    uow: UnitOfWork,
    settings: Settings,
    author_id: uuid.UUID,
    title: str,
    body: str,
    slug: str | None,
    category_id: uuid.UUID | None,
    status: str,
    tag_ids: Sequence[uuid.UUID] = (),
    publish_at: datetime | None = None,
) -> Post:
    scheduling.check(publish_at, status=status, now=utcnow())
    repository = PostRepository(uow.session)
    await _check_category(uow, category_id)
    tags = await tagging.resolve(uow=uow, tag_ids=tag_ids)
    if slug is None:
        slug = await _free_slug(repository, title, author_id=author_id)
    else:
        problem = await _slug_in_view(
            repository, slug, author_id=author_id, published=status == "published"
        )
        if problem is not None:
            raise errors.Conflict(problem)
    now = utcnow()
    post = Post(
        title=title,
        body=body,
        slug=slug,
        category_id=category_id,
        author_id=author_id,
        status=status,
        published_at=now if status == "published" else None,
        publish_at=publish_at,
        created_at=now,
        updated_at=now,
    )
    post = await repository.add(post)
    tagging.untagged(post)
    if tags:
        await tagging.replace(uow=uow, post=post, tags=tags)
    await history.record(uow, post=post, author_id=author_id, before=None)
    await events.changed(uow, settings=settings, post=post, was_published=False, created=True)
    posts_cache.post_created(uow)
    return post


async def update(
    *,
    uow: UnitOfWork,
    settings: Settings,
    caller: Caller,
    post_id: uuid.UUID,
    if_match: str,
    changes: Mapping[str, Any],
) -> Post:
    """Apply changes when if_match is the post's current ETag; 412 when it is stale."""
    post = await get_visible(uow=uow, caller=caller, post_id=post_id)
    if not etag_matches(post, if_match):
        raise errors.PreconditionFailed()
    old_slug, was_published = post.slug, post.status == "published"
    before = history.snapshot(post)
    scheduling.apply(post, changes=changes, now=utcnow())
    repository = PostRepository(uow.session)
    if "category_id" in changes:
        await _check_category(uow, changes["category_id"])
        post.category_id = changes["category_id"]
    tags = None
    if "tag_ids" in changes:
        tags = await tagging.resolve(uow=uow, tag_ids=changes["tag_ids"])
    slug, status = changes.get("slug") or post.slug, changes.get("status") or post.status
    if slug != post.slug or (status == "published" and not was_published):
        problem = await _slug_in_view(
            repository,
            slug,
            author_id=post.author_id,
            published=status == "published",
            post_id=post.id,
        )
        if problem is not None:
            raise errors.Conflict(problem)
        post.slug = slug
    for field in ("title", "body"):
        if changes.get(field) is not None:
            setattr(post, field, changes[field])
    if "status" in changes:
        post.status = status
        if status == "published" and post.published_at is None:
            post.published_at = utcnow()
    if tags is not None:
        await tagging.replace(uow=uow, post=post, tags=tags)
    post.updated_at = utcnow()
    await uow.reach(UPDATING)
    post = await repository.save(post)
    await history.record(
        uow, post=post, author_id=caller.require_principal().user_id, before=before
    )
    await events.changed(uow, settings=settings, post=post, was_published=was_published)
    posts_cache.post_changed(uow, post_id=post.id, slugs=[old_slug, post.slug])
    return post


async def delete(*, uow: UnitOfWork, caller: Caller, post_id: uuid.UUID) -> None:
    """Move the post to the trash; the worker purges it, with its files, later (trash.py)."""
    post = await get_visible(uow=uow, caller=caller, post_id=post_id)
    await trash.move(uow, post=post)


async def record_view(
    *,
    uow: UnitOfWork,
    clients: AwsClients,
    cache: Cache,
    caller: Caller,
    post_id: uuid.UUID,
    viewer: views_service.Viewer,
) -> int:
    """Count the viewer's view of a post the caller may see, once per window; the count now."""
    post = await get_visible(uow=uow, caller=caller, post_id=post_id)
    return await views_service.view(
        clients=clients,
        store=cache.store,
        settings=cache.settings,
        post_id=post.id,
        viewer=viewer,
        checkpoint=uow.checkpoint,
    )


async def list_page(
    *,
    uow: UnitOfWork,
    clients: AwsClients,
    where: PostFilter,
    cursor_text: str | None,
    limit: int,
    key: bytes,
) -> Page:
    filters = {
        "categoryId": where.category_id,
        "authorId": where.author_id,
        "status": where.status,
        "q": where.title_contains,
        "tag": where.tag,
    }
    after = cursor.decode(cursor_text, filters=filters, key=key) if cursor_text else None
    rows = await PostRepository(uow.session).page(where=where, after=after, limit=limit + 1)
    posts, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = posts[-1]
        next_cursor = cursor.encode(
            cursor.Position(created_at=last.created_at, id=last.id), filters=filters, key=key
        )
    counts = await views_service.counts(clients=clients, post_ids=[p.id for p in posts])
    return Page(posts=posts, view_counts=counts, next_cursor=next_cursor)


async def list_entry(
    *,
    uow: UnitOfWork,
    cache: Cache,
    clients: AwsClients,
    caller: Caller,
    where: PostFilter,
    cursor_text: str | None,
    limit: int,
    render: Callable[[Page], bytes],
) -> Entry:
    """A page of posts as the API sends it, through the list cache."""

    async def load() -> Loaded:
        page = await list_page(
            uow=uow,
            clients=clients,
            where=where,
            cursor_text=cursor_text,
            limit=limit,
            key=cache.settings.cursor_key(),
        )
        return Loaded(Entry.of_body(render(page)))

    filters = (where.category_id, where.author_id, where.status, where.title_contains, where.tag)
    params = (cursor_text, limit, *filters)
    return await posts_cache.list_read(
        cache=cache, caller=caller, visibility=where.visibility, params=params, load=load
    )


async def view_count(*, clients: AwsClients, cache: Cache, post_id: uuid.UUID) -> int | None:
    """The post's view count as a read shows it; None while the counter stores are unavailable."""
    return await views_service.shown(clients=clients, store=cache.store, post_id=post_id)
