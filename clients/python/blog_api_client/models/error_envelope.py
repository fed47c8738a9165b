from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.api_error import ApiError


T = TypeVar("T", bound="ErrorEnvelope")


@_attrs_define
class ErrorEnvelope:
    """
    Attributes:
        success (bool):
        data (Any): Always null in an error envelope.
        error (ApiError):
    """

    success: bool
    data: Any
    error: ApiError

    def to_dict(self) -> dict[str, Any]:
        success = self.success

        data = self.data

        error = self.error.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "success": success,
                "data": data,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.api_error import ApiError  # noqa: PLC0415

        d = dict(src_dict)
        success = d.pop("success")

        data = d.pop("data")

        error = ApiError.from_dict(d.pop("error"))

        error_envelope = cls(
            success=success,
            data=data,
            error=error,
        )

        return error_envelope
