from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.post_revision_envelope import PostRevisionEnvelope
from ...types import Response


def _get_kwargs(
    post_id: UUID,
    revision_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/posts/{post_id}/revisions/{revision_id}".format(
            post_id=quote(str(post_id), safe=""),
            revision_id=quote(str(revision_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | PostRevisionEnvelope | None:
    if response.status_code == 200:
        response_200 = PostRevisionEnvelope.from_dict(response.json())

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
) -> Response[ErrorEnvelope | PostRevisionEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    post_id: UUID,
    revision_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorEnvelope | PostRevisionEnvelope]:
    """A revision of a post

     For those who may edit the post; 404 for anyone else, and for the id of a revision of another post,
    as for a missing one.

    Args:
        post_id (UUID):
        revision_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PostRevisionEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
        revision_id=revision_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    post_id: UUID,
    revision_id: UUID,
    *,
    client: AuthenticatedClient,
) -> ErrorEnvelope | PostRevisionEnvelope | None:
    """A revision of a post

     For those who may edit the post; 404 for anyone else, and for the id of a revision of another post,
    as for a missing one.

    Args:
        post_id (UUID):
        revision_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PostRevisionEnvelope
    """

    return sync_detailed(
        post_id=post_id,
        revision_id=revision_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    post_id: UUID,
    revision_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[ErrorEnvelope | PostRevisionEnvelope]:
    """A revision of a post

     For those who may edit the post; 404 for anyone else, and for the id of a revision of another post,
    as for a missing one.

    Args:
        post_id (UUID):
        revision_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PostRevisionEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
        revision_id=revision_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    post_id: UUID,
    revision_id: UUID,
    *,
    client: AuthenticatedClient,
) -> ErrorEnvelope | PostRevisionEnvelope | None:
    """A revision of a post

     For those who may edit the post; 404 for anyone else, and for the id of a revision of another post,
    as for a missing one.

    Args:
        post_id (UUID):
        revision_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PostRevisionEnvelope
    """

    return (
        await asyncio_detailed(
            post_id=post_id,
            revision_id=revision_id,
            client=client,
        )
    ).parsed
