from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define

from ..models.user_role import UserRole, check_user_role

T = TypeVar("T", bound="PublicUser")


@_attrs_define
class PublicUser:
    """
    Attributes:
        id (UUID):
        display_name (str):
        bio (str):
        role (UserRole):
        created_at (datetime.datetime):
    """

    id: UUID
    display_name: str
    bio: str
    role: UserRole
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        display_name = self.display_name

        bio = self.bio

        role: str = self.role

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "displayName": display_name,
                "bio": bio,
                "role": role,
                "createdAt": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        display_name = d.pop("displayName")

        bio = d.pop("bio")

        role = check_user_role(d.pop("role"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        public_user = cls(
            id=id,
            display_name=display_name,
            bio=bio,
            role=role,
            created_at=created_at,
        )

        return public_user
