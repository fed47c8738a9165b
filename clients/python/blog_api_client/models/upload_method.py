from typing import Literal

UploadMethod = Literal["POST"]

UPLOAD_METHOD_VALUES: set[UploadMethod] = {
    "POST",
}


def check_upload_method(value: str) -> UploadMethod:
    if value in UPLOAD_METHOD_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {UPLOAD_METHOD_VALUES!r}")
