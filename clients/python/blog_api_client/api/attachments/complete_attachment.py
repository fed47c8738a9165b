from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.attachment_envelope import AttachmentEnvelope
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    post_id: UUID,
    attachment_id: UUID,
    *,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/posts/{post_id}/attachments/{attachment_id}/complete".format(
            post_id=quote(str(post_id), safe=""),
            attachment_id=quote(str(attachment_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AttachmentEnvelope | ErrorEnvelope | None:
    if response.status_code == 202:
        response_202 = AttachmentEnvelope.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorEnvelope.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorEnvelope.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AttachmentEnvelope | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    post_id: UUID,
    attachment_id: UUID,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Response[AttachmentEnvelope | ErrorEnvelope]:
    """Finish an upload

     Checks the uploaded object against the declared size and type and the limits, then starts a
    processing job. A failed check deletes the object and answers 422. With no file uploaded yet the
    answer is 409 and the upload form stays usable until it expires; a completed upload answers 409 too.
    An upload not completed within 10 minutes after its form expired is discarded (404).

    Args:
        post_id (UUID):
        attachment_id (UUID):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttachmentEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
        attachment_id=attachment_id,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    post_id: UUID,
    attachment_id: UUID,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> AttachmentEnvelope | ErrorEnvelope | None:
    """Finish an upload

     Checks the uploaded object against the declared size and type and the limits, then starts a
    processing job. A failed check deletes the object and answers 422. With no file uploaded yet the
    answer is 409 and the upload form stays usable until it expires; a completed upload answers 409 too.
    An upload not completed within 10 minutes after its form expired is discarded (404).

    Args:
        post_id (UUID):
        attachment_id (UUID):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttachmentEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        post_id=post_id,
        attachment_id=attachment_id,
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    post_id: UUID,
    attachment_id: UUID,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Response[AttachmentEnvelope | ErrorEnvelope]:
    """Finish an upload

     Checks the uploaded object against the declared size and type and the limits, then starts a
    processing job. A failed check deletes the object and answers 422. With no file uploaded yet the
    answer is 409 and the upload form stays usable until it expires; a completed upload answers 409 too.
    An upload not completed within 10 minutes after its form expired is discarded (404).

    Args:
        post_id (UUID):
        attachment_id (UUID):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttachmentEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
        attachment_id=attachment_id,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    post_id: UUID,
    attachment_id: UUID,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> AttachmentEnvelope | ErrorEnvelope | None:
    """Finish an upload

     Checks the uploaded object against the declared size and type and the limits, then starts a
    processing job. A failed check deletes the object and answers 422. With no file uploaded yet the
    answer is 409 and the upload form stays usable until it expires; a completed upload answers 409 too.
    An upload not completed within 10 minutes after its form expired is discarded (404).

    Args:
        post_id (UUID):
        attachment_id (UUID):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttachmentEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            post_id=post_id,
            attachment_id=attachment_id,
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
