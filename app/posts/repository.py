from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Select, bindparam, delete, exists, func, insert, or_, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app import errors
from app.platform.cursor import Position
from app.platform.db.integrity import flush_or_conflict
from app.platform.db.models import Post, PostRevision, PostTag, Tag

# A post as a read shows it: its row, then its tags in the post's order. Built once with bound
# parameters: building a statement costs a read about as much as running it does.
_SHOWN = select(*Post.__table__.c).where(Post.deleted_at.is_(None))
_SHOWN_BY_ID = _SHOWN.where(Post.id == bindparam("post_id"))
_SHOWN_BY_SLUG = _SHOWN.where(Post.slug == bindparam("slug"), Post.status == "published")
_SHOWN_TAGS = (
    select(Tag.id, Tag.name, Tag.slug)
    .join(PostTag, PostTag.tag_id == Tag.id)
    .where(PostTag.post_id == bindparam("post_id"))
    .order_by(PostTag.position)
)


class PostFilter(msgspec.Struct, frozen=True):
    visibility: str
    viewer_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    status: str | None = None
    title_contains: str | None = None
    # A tag's slug: only the posts with that tag.
    tag: str | None = None


class PostRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, post_id: uuid.UUID) -> Post | None:
        """The post unless it is in the trash, where it is hidden from every read."""
        statement = select(Post).where(Post.id == post_id, Post.deleted_at.is_(None))
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def shown(self, post_id: uuid.UUID) -> Post | None:
        """As get, for a read that only shows the post: see _shown."""
        return await self._shown(_SHOWN_BY_ID, {"post_id": post_id})

    async def shown_published_by_slug(self, slug: str) -> Post | None:
        """As get_published_by_slug, for a read that only shows the post: see _shown."""
        return await self._shown(_SHOWN_BY_SLUG, {"slug": slug})

    async def _shown(self, statement: Select[Any], parameters: dict[str, Any]) -> Post | None:
        """The post the statement selects, with its tags, as a transient Post: plain rows, so
        the read skips the ORM's loading, identity map and selectin strategy, which cost a read
        more than its two queries do. Not in the session: changing it writes nothing."""
        row = (await self.session.execute(statement, parameters)).first()
        if row is None:
            return None
        post = Post(**row._asdict())
        tags = await self.session.execute(_SHOWN_TAGS, {"post_id": post.id})
        shown = [Tag(id=tag_id, name=name, slug=slug) for tag_id, name, slug in tags]
        set_committed_value(post, "tags", shown)
        return post

    async def get_published_by_slug(self, slug: str) -> Post | None:
        """The published post with this slug: at most one (posts_published_slug_key)."""
        statement = select(Post).where(
            Post.slug == slug, Post.status == "published", Post.deleted_at.is_(None)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get_own_by_slug(self, *, author_id: uuid.UUID, slug: str) -> Post | None:
        """The author's post with this slug: at most one (posts_author_id_slug_key)."""
        statement = select(Post).where(
            Post.author_id == author_id, Post.slug == slug, Post.deleted_at.is_(None)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def slug_held(
        self,
        slug: str,
        *,
        author_id: uuid.UUID | None = None,
        published: bool = False,
        other_than: uuid.UUID | None = None,
    ) -> bool:
        """Whether a post other than other_than holds slug, among the author's posts or among
        the published posts (published=True). A trashed post keeps its slug until purged."""
        condition = Post.slug == slug
        if author_id is not None:
            condition = condition & (Post.author_id == author_id)
        if published:
            condition = condition & (Post.status == "published")
        if other_than is not None:
            condition = condition & (Post.id != other_than)
        return bool(await self.session.scalar(select(exists().where(condition))))

    async def page(self, *, where: PostFilter, after: Position | None, limit: int) -> list[Post]:
        """Up to limit rows, newest first, strictly after the given position."""
        statement = select(Post).where(Post.deleted_at.is_(None))
        if where.visibility == "published":
            statement = statement.where(Post.status == "published")
        elif where.visibility == "published_or_own":
            statement = statement.where(
                or_(Post.status == "published", Post.author_id == where.viewer_id)
            )
        if where.category_id is not None:
            statement = statement.where(Post.category_id == where.category_id)
        if where.author_id is not None:
            statement = statement.where(Post.author_id == where.author_id)
        if where.status is not None:
            statement = statement.where(Post.status == where.status)
        if where.title_contains is not None:
            statement = statement.where(Post.title.icontains(where.title_contains, autoescape=True))
        if where.tag is not None:
            tagged = select(PostTag.id).join(Tag, Tag.id == PostTag.tag_id)
            tagged = tagged.where(PostTag.post_id == Post.id, Tag.slug == where.tag)
            statement = statement.where(tagged.exists())
        if after is not None:
            statement = statement.where(
                tuple_(Post.created_at, Post.id) < tuple_(after.created_at, after.id)
            )
        statement = statement.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def add(self, post: Post) -> Post:
        self.session.add(post)
        await flush_or_conflict(self.session, "A post with this slug already exists.")
        return post

    async def save(self, post: Post) -> Post:
        try:
            await flush_or_conflict(self.session, "A post with this slug already exists.")
        except StaleDataError as exc:
            raise errors.PreconditionFailed() from exc
        return post

    async def tags_by_ids(self, tag_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Tag]:
        """The tags among tag_ids that exist, by id."""
        if not tag_ids:
            return {}
        statement = select(Tag).where(Tag.id.in_(tag_ids))
        return {tag.id: tag for tag in (await self.session.execute(statement)).scalars()}

    async def tag_ids(self, post_id: uuid.UUID) -> list[uuid.UUID]:
        """The ids of the post's tags, in the post's order."""
        statement = (
            select(PostTag.tag_id).where(PostTag.post_id == post_id).order_by(PostTag.position)
        )
        return list((await self.session.execute(statement)).scalars())

    async def replace_tags(self, post_id: uuid.UUID, tag_ids: Sequence[uuid.UUID]) -> None:
        """The post's tags become tag_ids, in that order; NotFound when a tag went meanwhile."""
        await self.session.execute(delete(PostTag).where(PostTag.post_id == post_id))
        if not tag_ids:
            return
        rows = [
            {"id": uuid.uuid4(), "post_id": post_id, "tag_id": tag_id, "position": position}
            for position, tag_id in enumerate(tag_ids)
        ]
        try:
            await self.session.execute(insert(PostTag), rows)
        except IntegrityError as exc:
            raise errors.NotFound(
                "Tag not found.",
                details=[errors.FieldProblem("body.tagIds", "No such tag.", "not_found")],
            ) from exc


class TrashPosition(msgspec.Struct, frozen=True):
    deleted_at: datetime
    id: uuid.UUID


class LifecycleRepository:
    """The trash and the schedule: posts that every other read treats as absent or as drafts."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_any(self, post_id: uuid.UUID) -> Post | None:
        """The post, in the trash or not."""
        return await self.session.get(Post, post_id)

    async def get_trashed(self, post_id: uuid.UUID) -> Post | None:
        statement = select(Post).where(Post.id == post_id, Post.deleted_at.is_not(None))
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def trash_page(
        self, *, owner_id: uuid.UUID | None, after: TrashPosition | None, limit: int
    ) -> list[Post]:
        """Up to limit trashed posts (owner_id's only, unless None), latest deleted first."""
        statement = select(Post).where(Post.deleted_at.is_not(None))
        if owner_id is not None:
            statement = statement.where(Post.author_id == owner_id)
        if after is not None:
            statement = statement.where(
                tuple_(Post.deleted_at, Post.id) < tuple_(after.deleted_at, after.id)
            )
        statement = statement.order_by(Post.deleted_at.desc(), Post.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def due_for_publication(self, *, now: datetime, limit: int) -> list[uuid.UUID]:
        """Scheduled drafts whose time has come, earliest first (posts_publish_at_idx)."""
        statement = (
            select(Post.id)
            .where(Post.publish_at <= now, Post.status == "draft", Post.deleted_at.is_(None))
            .order_by(Post.publish_at, Post.id)
            .limit(limit)
        )
        return list((await self.session.execute(statement)).scalars())

    async def get_due(self, post_id: uuid.UUID, *, now: datetime) -> Post | None:
        """The post if it is still a scheduled draft, due at now, and not in the trash."""
        statement = select(Post).where(
            Post.id == post_id,
            Post.publish_at <= now,
            Post.status == "draft",
            Post.deleted_at.is_(None),
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def due_for_purge(self, *, deleted_before: datetime, limit: int) -> list[uuid.UUID]:
        """Posts trashed before deleted_before, earliest first (posts_deleted_at_idx)."""
        statement = (
            select(Post.id)
            .where(Post.deleted_at < deleted_before)
            .order_by(Post.deleted_at, Post.id)
            .limit(limit)
        )
        return list((await self.session.execute(statement)).scalars())

    async def purge(self, post_id: uuid.UUID, *, deleted_before: datetime) -> bool:
        """Delete the post if it is still trashed since before deleted_before; whether it was.

        Its attachments, revisions and tag links go with it (ON DELETE CASCADE).
        """
        statement = delete(Post).where(Post.id == post_id, Post.deleted_at < deleted_before)
        result = await self.session.execute(statement)
        return bool(getattr(result, "rowcount", 0))


class RevisionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def last_number(self, post_id: uuid.UUID) -> int:
        statement = select(func.max(PostRevision.number)).where(PostRevision.post_id == post_id)
        return int(await self.session.scalar(statement) or 0)

    async def add(self, revision: PostRevision) -> PostRevision:
        self.session.add(revision)
        await self.session.flush()
        return revision

    async def get(self, *, post_id: uuid.UUID, revision_id: uuid.UUID) -> PostRevision | None:
        statement = select(PostRevision).where(
            PostRevision.id == revision_id, PostRevision.post_id == post_id
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def page(
        self, *, post_id: uuid.UUID, before: int | None, limit: int
    ) -> list[PostRevision]:
        """Up to limit revisions of the post, newest first, numbered below before."""
        statement = select(PostRevision).where(PostRevision.post_id == post_id)
        if before is not None:
            statement = statement.where(PostRevision.number < before)
        statement = statement.order_by(PostRevision.number.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def number_of(self, *, post_id: uuid.UUID, revision_id: uuid.UUID) -> int | None:
        statement = select(PostRevision.number).where(
            PostRevision.id == revision_id, PostRevision.post_id == post_id
        )
        return await self.session.scalar(statement)
