from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.upload_method import UploadMethod, check_upload_method

if TYPE_CHECKING:
    from ..models.upload_fields import UploadFields


T = TypeVar("T", bound="PresignedUpload")


@_attrs_define
class PresignedUpload:
    """
    Attributes:
        url (str):
        method (UploadMethod):
        fields (UploadFields): Form fields to send with the file in a multipart POST.
        expires_at (datetime.datetime):
    """

    url: str
    method: UploadMethod
    fields: UploadFields
    expires_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        method: str = self.method

        fields = self.fields.to_dict()

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "url": url,
                "method": method,
                "fields": fields,
                "expiresAt": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.upload_fields import UploadFields  # noqa: PLC0415

        d = dict(src_dict)
        url = d.pop("url")

        method = check_upload_method(d.pop("method"))

        fields = UploadFields.from_dict(d.pop("fields"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expiresAt"))

        presigned_upload = cls(
            url=url,
            method=method,
            fields=fields,
            expires_at=expires_at,
        )

        return presigned_upload
