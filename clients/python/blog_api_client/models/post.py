from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.post_status import PostStatus, check_post_status

if TYPE_CHECKING:
    from ..models.tag_ref import TagRef


T = TypeVar("T", bound="Post")


@_attrs_define
class Post:
    """
    Attributes:
        id (UUID):
        title (str):
        slug (str):
        body (str):
        status (PostStatus):
        category_id (None | UUID):
        author_id (UUID):
        tags (list[TagRef]): The post's tags, in the order its `tagIds` gave them.
        published_at (datetime.datetime | None):
        publish_at (datetime.datetime | None): When a scheduled draft will be published; null when the post is not
            scheduled (see Scheduled publishing in docs/spec.md).
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        view_count (int | None): Views counted so far (a cached read may lag behind); null when the counter store is
            unavailable.
    """

    id: UUID
    title: str
    slug: str
    body: str
    status: PostStatus
    category_id: None | UUID
    author_id: UUID
    tags: list[TagRef]
    published_at: datetime.datetime | None
    publish_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    view_count: int | None

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        title = self.title

        slug = self.slug

        body = self.body

        status: str = self.status

        category_id: None | str
        if isinstance(self.category_id, UUID):
            category_id = str(self.category_id)
        else:
            category_id = self.category_id

        author_id = str(self.author_id)

        tags = []
        for tags_item_data in self.tags:
            tags_item = tags_item_data.to_dict()
            tags.append(tags_item)

        published_at: None | str
        if isinstance(self.published_at, datetime.datetime):
            published_at = self.published_at.isoformat()
        else:
            published_at = self.published_at

        publish_at: None | str
        if isinstance(self.publish_at, datetime.datetime):
            publish_at = self.publish_at.isoformat()
        else:
            publish_at = self.publish_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        view_count: int | None
        view_count = self.view_count

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "title": title,
                "slug": slug,
                "body": body,
                "status": status,
                "categoryId": category_id,
                "authorId": author_id,
                "tags": tags,
                "publishedAt": published_at,
                "publishAt": publish_at,
                "createdAt": created_at,
                "updatedAt": updated_at,
                "viewCount": view_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tag_ref import TagRef  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        title = d.pop("title")

        slug = d.pop("slug")

        body = d.pop("body")

        status = check_post_status(d.pop("status"))

        def _parse_category_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                category_id_type_0 = UUID(data)

                return category_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        category_id = _parse_category_id(d.pop("categoryId"))

        author_id = UUID(d.pop("authorId"))

        tags = []
        _tags = d.pop("tags")
        for tags_item_data in _tags:
            tags_item = TagRef.from_dict(tags_item_data)

            tags.append(tags_item)

        def _parse_published_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                published_at_type_0 = datetime.datetime.fromisoformat(data)

                return published_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        published_at = _parse_published_at(d.pop("publishedAt"))

        def _parse_publish_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                publish_at_type_0 = datetime.datetime.fromisoformat(data)

                return publish_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        publish_at = _parse_publish_at(d.pop("publishAt"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        def _parse_view_count(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        view_count = _parse_view_count(d.pop("viewCount"))

        post = cls(
            id=id,
            title=title,
            slug=slug,
            body=body,
            status=status,
            category_id=category_id,
            author_id=author_id,
            tags=tags,
            published_at=published_at,
            publish_at=publish_at,
            created_at=created_at,
            updated_at=updated_at,
            view_count=view_count,
        )

        return post
