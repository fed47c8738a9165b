from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.api_error import ApiError
    from ..models.webhook import Webhook


T = TypeVar("T", bound="WebhookEnvelope")


@_attrs_define
class WebhookEnvelope:
    """
    Attributes:
        success (bool):
        data (Webhook):
        error (ApiError | None): Always null in a success envelope; typed `ApiError | null` rather than exactly null,
            which some client generators cannot read.
    """

    success: bool
    data: Webhook
    error: ApiError | None

    def to_dict(self) -> dict[str, Any]:
        from ..models.api_error import ApiError  # noqa: PLC0415

        success = self.success

        data = self.data.to_dict()

        error: dict[str, Any] | None
        if isinstance(self.error, ApiError):
            error = self.error.to_dict()
        else:
            error = self.error

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
        from ..models.webhook import Webhook  # noqa: PLC0415

        d = dict(src_dict)
        success = d.pop("success")

        data = Webhook.from_dict(d.pop("data"))

        def _parse_error(data: object) -> ApiError | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                error_type_0 = ApiError.from_dict(data)

                return error_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApiError | None, data)

        error = _parse_error(d.pop("error"))

        webhook_envelope = cls(
            success=success,
            data=data,
            error=error,
        )

        return webhook_envelope
