from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

T = TypeVar("T", bound="NewSession")


@_attrs_define
class NewSession:
    """
    Attributes:
        id (UUID):
        token (str): Send as `Authorization: Bearer <token>`. Shown only once.
        expires_at (datetime.datetime):
    """

    id: UUID
    token: str
    expires_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        token = self.token

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "token": token,
                "expiresAt": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        token = d.pop("token")

        expires_at = datetime.datetime.fromisoformat(d.pop("expiresAt"))

        new_session = cls(
            id=id,
            token=token,
            expires_at=expires_at,
        )

        return new_session
