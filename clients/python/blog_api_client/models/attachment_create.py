from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.attachment_content_type import AttachmentContentType, check_attachment_content_type

T = TypeVar("T", bound="AttachmentCreate")


@_attrs_define
class AttachmentCreate:
    """
    Attributes:
        filename (str):
        content_type (AttachmentContentType):
        size (int): The file size in bytes, at most 10 MiB.
    """

    filename: str
    content_type: AttachmentContentType
    size: int

    def to_dict(self) -> dict[str, Any]:
        filename = self.filename

        content_type: str = self.content_type

        size = self.size

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filename": filename,
                "contentType": content_type,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        filename = d.pop("filename")

        content_type = check_attachment_content_type(d.pop("contentType"))

        size = d.pop("size")

        attachment_create = cls(
            filename=filename,
            content_type=content_type,
            size=size,
        )

        return attachment_create
