from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.attachment import Attachment
    from ..models.presigned_upload import PresignedUpload


T = TypeVar("T", bound="AttachmentUpload")


@_attrs_define
class AttachmentUpload:
    """
    Attributes:
        attachment (Attachment):
        upload (PresignedUpload):
    """

    attachment: Attachment
    upload: PresignedUpload

    def to_dict(self) -> dict[str, Any]:
        attachment = self.attachment.to_dict()

        upload = self.upload.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attachment": attachment,
                "upload": upload,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attachment import Attachment  # noqa: PLC0415
        from ..models.presigned_upload import PresignedUpload  # noqa: PLC0415

        d = dict(src_dict)
        attachment = Attachment.from_dict(d.pop("attachment"))

        upload = PresignedUpload.from_dict(d.pop("upload"))

        attachment_upload = cls(
            attachment=attachment,
            upload=upload,
        )

        return attachment_upload
