from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.post_envelope import PostEnvelope
from ...models.post_update import PostUpdate
from ...types import Response


def _get_kwargs(
    post_id: UUID,
    *,
    body: PostUpdate,
    if_match: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["If-Match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/posts/{post_id}".format(
            post_id=quote(str(post_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | PostEnvelope | None:
    if response.status_code == 200:
        response_200 = PostEnvelope.from_dict(response.json())

        return response_200

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

    if response.status_code == 412:
        response_412 = ErrorEnvelope.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorEnvelope.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())

        return response_422

    if response.status_code == 428:
        response_428 = ErrorEnvelope.from_dict(response.json())

        return response_428

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
    body: PostUpdate,
    if_match: str,
) -> Response[ErrorEnvelope | PostEnvelope]:
    """Update a post

     The author, editors and admins. Requires `If-Match` with the post's current ETag. Publishing sets
    `publishedAt` the first time. A new slug conflicts (409) only with another post of the same author,
    or, when the post is or becomes published, with a published post: never with someone else's
    unpublished post; publishing checks the published posts too (see Slugs in docs/spec.md).

    Args:
        post_id (UUID):
        if_match (str):
        body (PostUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PostEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
        body=body,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PostUpdate,
    if_match: str,
) -> ErrorEnvelope | PostEnvelope | None:
    """Update a post

     The author, editors and admins. Requires `If-Match` with the post's current ETag. Publishing sets
    `publishedAt` the first time. A new slug conflicts (409) only with another post of the same author,
    or, when the post is or becomes published, with a published post: never with someone else's
    unpublished post; publishing checks the published posts too (see Slugs in docs/spec.md).

    Args:
        post_id (UUID):
        if_match (str):
        body (PostUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PostEnvelope
    """

    return sync_detailed(
        post_id=post_id,
        client=client,
        body=body,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PostUpdate,
    if_match: str,
) -> Response[ErrorEnvelope | PostEnvelope]:
    """Update a post

     The author, editors and admins. Requires `If-Match` with the post's current ETag. Publishing sets
    `publishedAt` the first time. A new slug conflicts (409) only with another post of the same author,
    or, when the post is or becomes published, with a published post: never with someone else's
    unpublished post; publishing checks the published posts too (see Slugs in docs/spec.md).

    Args:
        post_id (UUID):
        if_match (str):
        body (PostUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PostEnvelope]
    """

    kwargs = _get_kwargs(
        post_id=post_id,
        body=body,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    post_id: UUID,
    *,
    client: AuthenticatedClient,
    body: PostUpdate,
    if_match: str,
) -> ErrorEnvelope | PostEnvelope | None:
    """Update a post

     The author, editors and admins. Requires `If-Match` with the post's current ETag. Publishing sets
    `publishedAt` the first time. A new slug conflicts (409) only with another post of the same author,
    or, when the post is or becomes published, with a published post: never with someone else's
    unpublished post; publishing checks the published posts too (see Slugs in docs/spec.md).

    Args:
        post_id (UUID):
        if_match (str):
        body (PostUpdate):

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
            body=body,
            if_match=if_match,
        )
    ).parsed
