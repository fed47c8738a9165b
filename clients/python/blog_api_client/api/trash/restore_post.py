from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.post_envelope import PostEnvelope
from ...types import Response


def _get_kwargs(
    post_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/posts/{post_id}/restore".format(
            post_id=quote(str(post_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | PostEnvelope | None:
    if response.status_code == 200:
        response_200 = PostEnvelope.from_dict(response.json())

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
) -> Response[ErrorEnvelope | PostEnvelope]:
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
) -> Response[ErrorEnvelope | PostEnvelope]:
    """Restore a post from the trash

     Takes the post out of the trash, as it was when deleted (a scheduled post comes back unscheduled).
    Its author, editors and admins; 404 for anyone else, as for a missing one. A post that is not in the
    trash is answered as it is and nothing changes, so a restore can be retried safely.

    Args:
        post_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PostEnvelope]
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
) -> ErrorEnvelope | PostEnvelope | None:
    """Restore a post from the trash

     Takes the post out of the trash, as it was when deleted (a scheduled post comes back unscheduled).
    Its author, editors and admins; 404 for anyone else, as for a missing one. A post that is not in the
    trash is answered as it is and nothing changes, so a restore can be retried safely.

    Args:
        post_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PostEnvelope
    """

    return sync_detailed(
        post_id=post_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorEnvelope | PostEnvelope]:
    """Restore a post from the trash

     Takes the post out of the trash, as it was when deleted (a scheduled post comes back unscheduled).
    Its author, editors and admins; 404 for anyone else, as for a missing one. A post that is not in the
    trash is answered as it is and nothing changes, so a restore can be retried safely.

    Args:
        post_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PostEnvelope]
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
) -> ErrorEnvelope | PostEnvelope | None:
    """Restore a post from the trash

     Takes the post out of the trash, as it was when deleted (a scheduled post comes back unscheduled).
    Its author, editors and admins; 404 for anyone else, as for a missing one. A post that is not in the
    trash is answered as it is and nothing changes, so a restore can be retried safely.

    Args:
        post_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PostEnvelope
    """

    return (
        await asyncio_detailed(
            post_id=post_id,
            client=client,
        )
    ).parsed
