from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.user_role import UserRole, check_user_role

T = TypeVar("T", bound="UserRoleUpdate")


@_attrs_define
class UserRoleUpdate:
    """
    Attributes:
        role (UserRole):
    """

    role: UserRole

    def to_dict(self) -> dict[str, Any]:
        role: str = self.role

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = check_user_role(d.pop("role"))

        user_role_update = cls(
            role=role,
        )

        return user_role_update
