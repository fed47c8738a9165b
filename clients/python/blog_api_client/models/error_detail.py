from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ErrorDetail")


@_attrs_define
class ErrorDetail:
    """
    Attributes:
        location (str): Where the problem is, e.g. `body.title` or `query.limit`.
        message (str):
        type_ (str): A machine-readable kind, e.g. `string_too_long`, `extra_forbidden`.
    """

    location: str
    message: str
    type_: str

    def to_dict(self) -> dict[str, Any]:
        location = self.location

        message = self.message

        type_ = self.type_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "location": location,
                "message": message,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        location = d.pop("location")

        message = d.pop("message")

        type_ = d.pop("type")

        error_detail = cls(
            location=location,
            message=message,
            type_=type_,
        )

        return error_detail
