from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.post_create import PostCreate
from ...models.post_envelope import PostEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: PostCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/posts",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | PostEnvelope | None:
    if response.status_code == 201:
        response_201 = PostEnvelope.from_dict(response.json())

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
) -> Response[ErrorEnvelope | PostEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PostCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | PostEnvelope]:
    """Create a post

     The caller becomes the author. The slug is derived from the title when absent. Creating it as
    `published` sets `publishedAt`. An unknown `categoryId` answers 404. A slug conflicts (409) only
    with another of the caller's posts, or, when creating it as `published`, with a published post:
    never with someone else's unpublished post (see Slugs in docs/spec.md).

    Args:
        idempotency_key (str | Unset):
        body (PostCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PostEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: PostCreate,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | PostEnvelope | None:
    """Create a post

     The caller becomes the author. The slug is derived from the title when absent. Creating it as
    `published` sets `publishedAt`. An unknown `categoryId` answers 404. A slug conflicts (409) only
    with another of the caller's posts, or, when creating it as `published`, with a published post:
    never with someone else's unpublished post (see Slugs in docs/spec.md).

    Args:
        idempotency_key (str | Unset):
        body (PostCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PostEnvelope
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PostCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorEnvelope | PostEnvelope]:
    """Create a post

     The caller becomes the author. The slug is derived from the title when absent. Creating it as
    `published` sets `publishedAt`. An unknown `categoryId` answers 404. A slug conflicts (409) only
    with another of the caller's posts, or, when creating it as `published`, with a published post:
    never with someone else's unpublished post (see Slugs in docs/spec.md).

    Args:
        idempotency_key (str | Unset):
        body (PostCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | PostEnvelope]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PostCreate,
    idempotency_key: str | Unset = UNSET,
) -> ErrorEnvelope | PostEnvelope | None:
    """Create a post

     The caller becomes the author. The slug is derived from the title when absent. Creating it as
    `published` sets `publishedAt`. An unknown `categoryId` answers 404. A slug conflicts (409) only
    with another of the caller's posts, or, when creating it as `published`, with a published post:
    never with someone else's unpublished post (see Slugs in docs/spec.md).

    Args:
        idempotency_key (str | Unset):
        body (PostCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | PostEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
