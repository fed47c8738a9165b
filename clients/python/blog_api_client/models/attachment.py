from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.attachment_content_type import AttachmentContentType, check_attachment_content_type
from ..models.attachment_status import AttachmentStatus, check_attachment_status

T = TypeVar("T", bound="Attachment")


@_attrs_define
class Attachment:
    """
    Attributes:
        id (UUID):
        post_id (UUID):
        filename (str):
        content_type (AttachmentContentType):
        size (int):
        status (AttachmentStatus):
        job_id (None | UUID):
        download_url (None | str): A short-lived URL, present once the attachment is ready.
        created_at (datetime.datetime):
    """

    id: UUID
    post_id: UUID
    filename: str
    content_type: AttachmentContentType
    size: int
    status: AttachmentStatus
    job_id: None | UUID
    download_url: None | str
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        post_id = str(self.post_id)

        filename = self.filename

        content_type: str = self.content_type

        size = self.size

        status: str = self.status

        job_id: None | str
        if isinstance(self.job_id, UUID):
            job_id = str(self.job_id)
        else:
            job_id = self.job_id

        download_url: None | str
        download_url = self.download_url

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "postId": post_id,
                "filename": filename,
                "contentType": content_type,
                "size": size,
                "status": status,
                "jobId": job_id,
                "downloadUrl": download_url,
                "createdAt": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        post_id = UUID(d.pop("postId"))

        filename = d.pop("filename")

        content_type = check_attachment_content_type(d.pop("contentType"))

        size = d.pop("size")

        status = check_attachment_status(d.pop("status"))

        def _parse_job_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                job_id_type_0 = UUID(data)

                return job_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        job_id = _parse_job_id(d.pop("jobId"))

        def _parse_download_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        download_url = _parse_download_url(d.pop("downloadUrl"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        attachment = cls(
            id=id,
            post_id=post_id,
            filename=filename,
            content_type=content_type,
            size=size,
            status=status,
            job_id=job_id,
            download_url=download_url,
            created_at=created_at,
        )

        return attachment
