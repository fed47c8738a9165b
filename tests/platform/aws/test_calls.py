"""AWS calls: outages become 503 with Retry-After, other failures keep only their code."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

from app import errors
from app.platform.aws.calls import AwsError, call, translate
from app.platform.aws.clients import AwsClients
from app.settings import Settings
from tests.fixtures.aws_faults import unreachable


def client_error(code: str, status: int) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": "m"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "UpdateItem")


@pytest.mark.parametrize(
    "exc",
    [
        client_error("ThrottlingException", 400),
        client_error("ProvisionedThroughputExceededException", 400),
        client_error("SlowDown", 503),
        client_error("InternalServerError", 500),
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
    ],
)
def test_transient_failures_become_503_with_retry_after(exc: Exception) -> None:
    translated = translate(exc)
    assert isinstance(translated, errors.ServiceUnavailable)
    assert int(translated.headers["Retry-After"]) > 0


def test_other_client_errors_keep_only_their_code() -> None:
    translated = translate(client_error("ConditionalCheckFailedException", 400))
    assert isinstance(translated, AwsError)
    assert translated.condition_failed
    assert not isinstance(translated, ClientError)


def test_parameter_bugs_are_not_reported_as_outages() -> None:
    translated = translate(ParamValidationError(report="bad"))
    assert isinstance(translated, AwsError)


def test_foreign_errors_pass_through() -> None:
    exc = ValueError("x")
    assert translate(exc) is exc


async def test_unreachable_endpoint_through_botocore_is_503(settings: Settings) -> None:
    clients = AwsClients(unreachable(settings, ("dynamodb",)))
    try:
        with pytest.raises(errors.ServiceUnavailable):
            await call(clients.dynamodb().list_tables)
    finally:
        clients.close()
