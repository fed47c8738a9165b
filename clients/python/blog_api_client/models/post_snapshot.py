from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.post_status import PostStatus, check_post_status

T = TypeVar("T", bound="PostSnapshot")


@_attrs_define
class PostSnapshot:
    """The post's stored fields right after the change.

    Attributes:
        title (str):
        slug (str):
        body (str):
        status (PostStatus):
        category_id (None | UUID):
        tag_ids (list[UUID]): The post's tags, by id, in their order.
    """

    title: str
    slug: str
    body: str
    status: PostStatus
    category_id: None | UUID
    tag_ids: list[UUID]

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        slug = self.slug

        body = self.body

        status: str = self.status

        category_id: None | str
        if isinstance(self.category_id, UUID):
            category_id = str(self.category_id)
        else:
            category_id = self.category_id

        tag_ids = []
        for tag_ids_item_data in self.tag_ids:
            tag_ids_item = str(tag_ids_item_data)
            tag_ids.append(tag_ids_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
                "slug": slug,
                "body": body,
                "status": status,
                "categoryId": category_id,
                "tagIds": tag_ids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
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

        tag_ids = []
        _tag_ids = d.pop("tagIds")
        for tag_ids_item_data in _tag_ids:
            tag_ids_item = UUID(tag_ids_item_data)

            tag_ids.append(tag_ids_item)

        post_snapshot = cls(
            title=title,
            slug=slug,
            body=body,
            status=status,
            category_id=category_id,
            tag_ids=tag_ids,
        )

        return post_snapshot
