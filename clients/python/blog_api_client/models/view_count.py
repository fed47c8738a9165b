from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="ViewCount")


@_attrs_define
class ViewCount:
    """
    Attributes:
        post_id (UUID):
        view_count (int):
    """

    post_id: UUID
    view_count: int

    def to_dict(self) -> dict[str, Any]:
        post_id = str(self.post_id)

        view_count = self.view_count

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "postId": post_id,
                "viewCount": view_count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        post_id = UUID(d.pop("postId"))

        view_count = d.pop("viewCount")

        view_count = cls(
            post_id=post_id,
            view_count=view_count,
        )

        return view_count
