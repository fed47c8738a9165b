"""Posts: slugs, publishing, optimistic concurrency and keyset pagination."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.attachments import service as attachments_service
from app.aws.clients import AwsClients
from app.categories.repository import CategoryRepository
from app.core import errors
from app.db.models import Post, utcnow
from app.posts import cursor
from app.posts.repository import PostFilter, PostRepository
from app.slugs import MAX_LENGTH, slugify


@dataclass(frozen=True, slots=True)
class Page:
    posts: list[Post]
    next_cursor: str | None


def etag(post: Post) -> str:
    digest = hashlib.sha256(f"{post.id}:{post.version}".encode()).hexdigest()[:20]
    return f'"{digest}"'


def etag_matches(post: Post, if_match: str) -> bool:
    current = etag(post)
    candidates = [value.strip() for value in if_match.split(",")]
    return "*" in candidates or current in candidates


async def _check_category(session: AsyncSession, category_id: uuid.UUID | None) -> None:
    if category_id is not None and await CategoryRepository(session).get(category_id) is None:
        raise errors.NotFound(
            "Category not found.",
            details=[errors.FieldProblem("body.categoryId", "No such category.", "not_found")],
        )


async def _free_slug(repository: PostRepository, title: str) -> str:
    slug = slugify(title, fallback="post")
    if not await repository.slug_taken(slug):
        return slug
    return f"{slug[: MAX_LENGTH - 7].rstrip('-')}-{secrets.token_hex(3)}"


async def get(*, session: AsyncSession, post_id: uuid.UUID) -> Post:
    post = await PostRepository(session).get(post_id)
    if post is None:
        raise errors.NotFound("Post not found.")
    return post


async def get_by_slug(*, session: AsyncSession, slug: str) -> Post:
    post = await PostRepository(session).get_by_slug(slug)
    if post is None:
        raise errors.NotFound("Post not found.")
    return post


async def create(
    *,
    session: AsyncSession,
    author_id: uuid.UUID,
    title: str,
    body: str,
    slug: str | None,
    category_id: uuid.UUID | None,
    status: str,
) -> Post:
    repository = PostRepository(session)
    await _check_category(session, category_id)
    if slug is None:
        slug = await _free_slug(repository, title)
    elif await repository.slug_taken(slug):
        raise errors.Conflict("A post with this slug already exists.")
    now = utcnow()
    post = Post(
        title=title,
        body=body,
        slug=slug,
        category_id=category_id,
        author_id=author_id,
        status=status,
        published_at=now if status == "published" else None,
        created_at=now,
        updated_at=now,
    )
    return await repository.add(post)


async def update(
    *, session: AsyncSession, post: Post, if_match: str, changes: Mapping[str, Any]
) -> Post:
    """Apply changes when if_match is the post's current ETag; 412 when it is stale."""
    if not etag_matches(post, if_match):
        raise errors.PreconditionFailed()
    repository = PostRepository(session)
    if "category_id" in changes:
        await _check_category(session, changes["category_id"])
        post.category_id = changes["category_id"]
    slug = changes.get("slug")
    if slug is not None and slug != post.slug:
        if await repository.slug_taken(slug, other_than=post.id):
            raise errors.Conflict("A post with this slug already exists.")
        post.slug = slug
    for field in ("title", "body"):
        if changes.get(field) is not None:
            setattr(post, field, changes[field])
    status = changes.get("status")
    if status is not None:
        post.status = status
        if status == "published" and post.published_at is None:
            post.published_at = utcnow()
    post.updated_at = utcnow()
    return await repository.save(post)


async def delete(*, session: AsyncSession, clients: AwsClients, post: Post) -> None:
    """The post's uploaded files first, as an attachment's delete does: if S3 is down the post
    stays, and a retry deletes both. Rows of its attachments go with the post (ON DELETE CASCADE).
    """
    await attachments_service.delete_all_objects(clients=clients, post_id=post.id)
    await PostRepository(session).delete(post)


async def list_page(
    *, session: AsyncSession, where: PostFilter, cursor_text: str | None, limit: int, key: bytes
) -> Page:
    filters = {
        "categoryId": where.category_id,
        "authorId": where.author_id,
        "status": where.status,
        "q": where.title_contains,
    }
    after = cursor.decode(cursor_text, filters=filters, key=key) if cursor_text else None
    rows = await PostRepository(session).page(where=where, after=after, limit=limit + 1)
    posts, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = posts[-1]
        next_cursor = cursor.encode(
            cursor.Position(created_at=last.created_at, id=last.id), filters=filters, key=key
        )
    return Page(posts=posts, next_cursor=next_cursor)
