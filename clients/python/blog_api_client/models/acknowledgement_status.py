from typing import Literal

AcknowledgementStatus = Literal["accepted"]

ACKNOWLEDGEMENT_STATUS_VALUES: set[AcknowledgementStatus] = {
    "accepted",
}


def check_acknowledgement_status(value: str) -> AcknowledgementStatus:
    if value in ACKNOWLEDGEMENT_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ACKNOWLEDGEMENT_STATUS_VALUES!r}")
