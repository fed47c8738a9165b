from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.attachment_list_envelope import AttachmentListEnvelope
from ...models.error_envelope import ErrorEnvelope
from ...types import Response


def _get_kwargs(
    post_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/posts/{post_id}/attachments".format(
            post_id=quote(str(post_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AttachmentListEnvelope | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = AttachmentListEnvelope.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[AttachmentListEnvelope | ErrorEnvelope]:
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
) -> Response[AttachmentListEnvelope | ErrorEnvelope]:
    """A post's attachments

     Completed attachments with short-lived download URLs. Whoever may upload to the post (its author,
    editors and admins) sees the processing and rejected ones too, with their `jobId`; anyone else sees
    only the ready ones, with a `jobId` of null.

    Args:
        post_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttachmentListEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
) -> AttachmentListEnvelope | ErrorEnvelope | None:
    """A post's attachments

     Completed attachments with short-lived download URLs. Whoever may upload to the post (its author,
    editors and admins) sees the processing and rejected ones too, with their `jobId`; anyone else sees
    only the ready ones, with a `jobId` of null.

    Args:
        post_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttachmentListEnvelope | ErrorEnvelope
    """

    return sync_detailed(
        post_id=post_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[AttachmentListEnvelope | ErrorEnvelope]:
    """A post's attachments

     Completed attachments with short-lived download URLs. Whoever may upload to the post (its author,
    editors and admins) sees the processing and rejected ones too, with their `jobId`; anyone else sees
    only the ready ones, with a `jobId` of null.

    Args:
        post_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttachmentListEnvelope | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
) -> AttachmentListEnvelope | ErrorEnvelope | None:
    """A post's attachments

     Completed attachments with short-lived download URLs. Whoever may upload to the post (its author,
    editors and admins) sees the processing and rejected ones too, with their `jobId`; anyone else sees
    only the ready ones, with a `jobId` of null.

    Args:
        post_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttachmentListEnvelope | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            post_id=post_id,
            client=client,
        )
    ).parsed
