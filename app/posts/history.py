"""A post's history: every change of its title, body, slug, status, category or tags stores a
revision, with who made it, which fields it changed and the post's state after it, in the
change's own transaction. Creation is revision 1 (app/posts/revisions.py serves them)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from app.platform.db.models import Post, PostRevision, utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.posts.repository import RevisionRepository

# The fields a revision records, as the API names them, in the order `changes` lists them.
FIELDS = ("title", "body", "slug", "status", "categoryId", "tagIds")
Snapshot = dict[str, Any]


def snapshot(post: Post) -> Snapshot:
    """The post's recorded fields as they stand in this transaction, as JSON values: its tags as
    loaded with it, or as tagging.replace just wrote them."""
    return {
        "title": post.title,
        "body": post.body,
        "slug": post.slug,
        "status": post.status,
        "categoryId": str(post.category_id) if post.category_id else None,
        "tagIds": [str(tag.id) for tag in post.tags],
    }


async def record(
    uow: UnitOfWork,
    *,
    post: Post,
    author_id: uuid.UUID,
    before: Snapshot | None,
    always: bool = False,
) -> PostRevision | None:
    """Store the revision of the change from before (None: the creation) to post as it is now;
    nothing when no recorded field changed, unless always."""
    after = snapshot(post)
    changes = [f for f in FIELDS if before is None or before[f] != after[f]]
    if not changes and not always:
        return None
    repository = RevisionRepository(uow.session)
    revision = PostRevision(
        id=uuid.uuid4(),
        post_id=post.id,
        number=await repository.last_number(post.id) + 1,
        author_id=author_id,
        created_at=utcnow(),
        changes=json.dumps(changes),
        snapshot=json.dumps(after, separators=(",", ":")),
    )
    return await repository.add(revision)


def changes_of(revision: PostRevision) -> list[str]:
    names: list[str] = json.loads(revision.changes)
    return names


def snapshot_of(revision: PostRevision) -> Snapshot:
    stored: Snapshot = json.loads(revision.snapshot)
    return stored
