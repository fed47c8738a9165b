from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.revision_field import RevisionField, check_revision_field

if TYPE_CHECKING:
    from ..models.post_snapshot import PostSnapshot


T = TypeVar("T", bound="PostRevision")


@_attrs_define
class PostRevision:
    """
    Attributes:
        id (UUID):
        post_id (UUID):
        number (int): 1 for the post's creation, then one more for each change.
        author_id (UUID): Who made the change.
        created_at (datetime.datetime):
        changes (list[RevisionField]): The fields this change set; every field for revision 1, the creation; none when
            the scheduler could not publish the post because a published post holds its slug.
        snapshot (PostSnapshot): The post's stored fields right after the change.
    """

    id: UUID
    post_id: UUID
    number: int
    author_id: UUID
    created_at: datetime.datetime
    changes: list[RevisionField]
    snapshot: PostSnapshot

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        post_id = str(self.post_id)

        number = self.number

        author_id = str(self.author_id)

        created_at = self.created_at.isoformat()

        changes = []
        for changes_item_data in self.changes:
            changes_item: str = changes_item_data
            changes.append(changes_item)

        snapshot = self.snapshot.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "postId": post_id,
                "number": number,
                "authorId": author_id,
                "createdAt": created_at,
                "changes": changes,
                "snapshot": snapshot,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.post_snapshot import PostSnapshot  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        post_id = UUID(d.pop("postId"))

        number = d.pop("number")

        author_id = UUID(d.pop("authorId"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        changes = []
        _changes = d.pop("changes")
        for changes_item_data in _changes:
            changes_item = check_revision_field(changes_item_data)

            changes.append(changes_item)

        snapshot = PostSnapshot.from_dict(d.pop("snapshot"))

        post_revision = cls(
            id=id,
            post_id=post_id,
            number=number,
            author_id=author_id,
            created_at=created_at,
            changes=changes,
            snapshot=snapshot,
        )

        return post_revision
