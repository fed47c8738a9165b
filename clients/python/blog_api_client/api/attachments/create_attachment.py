from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.attachment_create import AttachmentCreate
from ...models.attachment_upload_envelope import AttachmentUploadEnvelope
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    post_id: UUID,
    *,
    body: AttachmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/posts/{post_id}/attachments".format(
            post_id=quote(str(post_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AttachmentUploadEnvelope | ErrorEnvelope | None:
    if response.status_code == 201:
        response_201 = AttachmentUploadEnvelope.from_dict(response.json())

        return response_201

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

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorEnvelope.from_dict(response.json())

        return response_415

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
) -> Response[AttachmentUploadEnvelope | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
    body: AttachmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[AttachmentUploadEnvelope | ErrorEnvelope]:
    """Start an upload

     Answers with a presigned upload valid for 5 minutes. PNG, JPEG, WebP and GIF only, at most 10 MiB. A
    post may have at most 10 uploads in progress (started, neither completed nor deleted, form not
    expired) and a user at most 20 across posts; past either the answer is 409
    `TOO_MANY_PENDING_UPLOADS` with `Retry-After`, the seconds until the first of those forms expires.

    Args:
        post_id (UUID):
        idempotency_key (str | Unset):
        body (AttachmentCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttachmentUploadEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
    body: AttachmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> AttachmentUploadEnvelope | ErrorEnvelope | None:
    """Start an upload

     Answers with a presigned upload valid for 5 minutes. PNG, JPEG, WebP and GIF only, at most 10 MiB. A
    post may have at most 10 uploads in progress (started, neither completed nor deleted, form not
    expired) and a user at most 20 across posts; past either the answer is 409
    `TOO_MANY_PENDING_UPLOADS` with `Retry-After`, the seconds until the first of those forms expires.

    Args:
        post_id (UUID):
        idempotency_key (str | Unset):
        body (AttachmentCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttachmentUploadEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        post_id=post_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
    body: AttachmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[AttachmentUploadEnvelope | ErrorEnvelope]:
    """Start an upload

     Answers with a presigned upload valid for 5 minutes. PNG, JPEG, WebP and GIF only, at most 10 MiB. A
    post may have at most 10 uploads in progress (started, neither completed nor deleted, form not
    expired) and a user at most 20 across posts; past either the answer is 409
    `TOO_MANY_PENDING_UPLOADS` with `Retry-After`, the seconds until the first of those forms expires.

    Args:
        post_id (UUID):
        idempotency_key (str | Unset):
        body (AttachmentCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttachmentUploadEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
    body: AttachmentCreate,
    idempotency_key: str | Unset = UNSET,
) -> AttachmentUploadEnvelope | ErrorEnvelope | None:
    """Start an upload

     Answers with a presigned upload valid for 5 minutes. PNG, JPEG, WebP and GIF only, at most 10 MiB. A
    post may have at most 10 uploads in progress (started, neither completed nor deleted, form not
    expired) and a user at most 20 across posts; past either the answer is 409
    `TOO_MANY_PENDING_UPLOADS` with `Retry-After`, the seconds until the first of those forms expires.

    Args:
        post_id (UUID):
        idempotency_key (str | Unset):
        body (AttachmentCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttachmentUploadEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            post_id=post_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
