"""A post's tags: the ids a request names, checked, then written in the order it gave them.

The post's `tags` (loaded with every post) is set here to what was written, so the answer to
the write shows them without reading them back.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm.attributes import set_committed_value

from app import errors
from app.platform.db.models import Post, Tag
from app.platform.db.unit_of_work import UnitOfWork
from app.posts.repository import PostRepository

LOCATION = "body.tagIds"


async def resolve(*, uow: UnitOfWork, tag_ids: Sequence[uuid.UUID]) -> list[Tag]:
    """The tags tag_ids names, in its order: 422 for a repeat, 404 when one names no tag."""
    if len(set(tag_ids)) != len(tag_ids):
        raise errors.ValidationFailed(
            details=[errors.FieldProblem(LOCATION, "Tags must not repeat.", "unique_items")]
        )
    found = await PostRepository(uow.session).tags_by_ids(tag_ids)
    if len(found) != len(tag_ids):
        raise errors.NotFound(
            "Tag not found.", details=[errors.FieldProblem(LOCATION, "No such tag.", "not_found")]
        )
    return [found[tag_id] for tag_id in tag_ids]


async def replace(*, uow: UnitOfWork, post: Post, tags: Sequence[Tag]) -> None:
    """The post's tags become tags, in that order (the post's row must exist)."""
    await PostRepository(uow.session).replace_tags(post.id, [tag.id for tag in tags])
    set_committed_value(post, "tags", list(tags))


def untagged(post: Post) -> None:
    """A post just added has no tags, known without a read."""
    set_committed_value(post, "tags", [])


async def tag_ids(*, uow: UnitOfWork, post_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of the post's tags as stored, in the post's order."""
    return await PostRepository(uow.session).tag_ids(post_id)
