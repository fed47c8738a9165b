from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.post_status import PostStatus, check_post_status
from ..types import UNSET, Unset

T = TypeVar("T", bound="PostUpdate")


@_attrs_define
class PostUpdate:
    """
    Attributes:
        title (str | Unset):
        body (str | Unset):
        slug (str | Unset): Lowercase letters, digits and single hyphens. Unique among published posts and among each
            author's own posts, nothing else: another author's unpublished post never conflicts, so a slug reveals no draft
            (see Slugs in docs/spec.md).
        category_id (None | Unset | UUID):
        status (PostStatus | Unset):
        tag_ids (list[UUID] | Unset): The post's tags, by id, in the order they are shown; at most 10, no repeats.
            Replaces the post's tags; an unknown id answers 404.
        publish_at (datetime.datetime | None | Unset): Schedules a draft: it is published at this time, which must be in
            the future (422 otherwise), by the worker within 60 seconds. Only for a post that stays a `draft`; null
            unschedules it (see Scheduled publishing in docs/spec.md).
    """

    title: str | Unset = UNSET
    body: str | Unset = UNSET
    slug: str | Unset = UNSET
    category_id: None | Unset | UUID = UNSET
    status: PostStatus | Unset = UNSET
    tag_ids: list[UUID] | Unset = UNSET
    publish_at: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        body = self.body

        slug = self.slug

        category_id: None | str | Unset
        if isinstance(self.category_id, Unset):
            category_id = UNSET
        elif isinstance(self.category_id, UUID):
            category_id = str(self.category_id)
        else:
            category_id = self.category_id

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status

        tag_ids: list[str] | Unset = UNSET
        if not isinstance(self.tag_ids, Unset):
            tag_ids = []
            for componentsschemas_post_tag_ids_item_data in self.tag_ids:
                componentsschemas_post_tag_ids_item = str(componentsschemas_post_tag_ids_item_data)
                tag_ids.append(componentsschemas_post_tag_ids_item)

        publish_at: None | str | Unset
        if isinstance(self.publish_at, Unset):
            publish_at = UNSET
        elif isinstance(self.publish_at, datetime.datetime):
            publish_at = self.publish_at.isoformat()
        else:
            publish_at = self.publish_at

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if title is not UNSET:
            field_dict["title"] = title
        if body is not UNSET:
            field_dict["body"] = body
        if slug is not UNSET:
            field_dict["slug"] = slug
        if category_id is not UNSET:
            field_dict["categoryId"] = category_id
        if status is not UNSET:
            field_dict["status"] = status
        if tag_ids is not UNSET:
            field_dict["tagIds"] = tag_ids
        if publish_at is not UNSET:
            field_dict["publishAt"] = publish_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        title = d.pop("title", UNSET)

        body = d.pop("body", UNSET)

        slug = d.pop("slug", UNSET)

        def _parse_category_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                category_id_type_0 = UUID(data)

                return category_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        category_id = _parse_category_id(d.pop("categoryId", UNSET))

        _status = d.pop("status", UNSET)
        status: PostStatus | Unset
        if isinstance(_status, Unset):
            status = UNSET
        else:
            status = check_post_status(_status)

        _tag_ids = d.pop("tagIds", UNSET)
        tag_ids: list[UUID] | Unset = UNSET
        if _tag_ids is not UNSET:
            tag_ids = []
            for componentsschemas_post_tag_ids_item_data in _tag_ids:
                componentsschemas_post_tag_ids_item = UUID(componentsschemas_post_tag_ids_item_data)

                tag_ids.append(componentsschemas_post_tag_ids_item)

        def _parse_publish_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_publish_at_type_0 = datetime.datetime.fromisoformat(data)

                return componentsschemas_publish_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        publish_at = _parse_publish_at(d.pop("publishAt", UNSET))

        post_update = cls(
            title=title,
            body=body,
            slug=slug,
            category_id=category_id,
            status=status,
            tag_ids=tag_ids,
            publish_at=publish_at,
        )

        return post_update
