from http import HTTPStatus
from typing import Any, cast
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.post_list_envelope import PostListEnvelope
from ...models.post_status import PostStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    category_id: UUID | Unset = UNSET,
    author_id: UUID | Unset = UNSET,
    status: PostStatus | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    params: dict[str, Any] = {}

    params["cursor"] = cursor

    params["limit"] = limit

    json_category_id: str | Unset = UNSET
    if not isinstance(category_id, Unset):
        json_category_id = str(category_id)
    params["categoryId"] = json_category_id

    json_author_id: str | Unset = UNSET
    if not isinstance(author_id, Unset):
        json_author_id = str(author_id)
    params["authorId"] = json_author_id

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status

    params["status"] = json_status

    params["tag"] = tag

    params["q"] = q

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/posts",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorEnvelope | PostListEnvelope | None:
    if response.status_code == 200:
        response_200 = PostListEnvelope.from_dict(response.json())

        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

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
) -> Response[Any | ErrorEnvelope | PostListEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    category_id: UUID | Unset = UNSET,
    author_id: UUID | Unset = UNSET,
    status: PostStatus | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | ErrorEnvelope | PostListEnvelope]:
    """List posts

     Newest first. Anonymous callers see published posts only; signed-in callers also see the drafts and
    archived posts they may read.

    Args:
        cursor (str | Unset):
        limit (int | Unset):  Default: 20.
        category_id (UUID | Unset):
        author_id (UUID | Unset):
        status (PostStatus | Unset):
        tag (str | Unset): Lowercase letters, digits and single hyphens.
        q (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | PostListEnvelope]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        category_id=category_id,
        author_id=author_id,
        status=status,
        tag=tag,
        q=q,
        if_none_match=if_none_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    category_id: UUID | Unset = UNSET,
    author_id: UUID | Unset = UNSET,
    status: PostStatus | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | ErrorEnvelope | PostListEnvelope | None:
    """List posts

     Newest first. Anonymous callers see published posts only; signed-in callers also see the drafts and
    archived posts they may read.

    Args:
        cursor (str | Unset):
        limit (int | Unset):  Default: 20.
        category_id (UUID | Unset):
        author_id (UUID | Unset):
        status (PostStatus | Unset):
        tag (str | Unset): Lowercase letters, digits and single hyphens.
        q (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | PostListEnvelope
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        limit=limit,
        category_id=category_id,
        author_id=author_id,
        status=status,
        tag=tag,
        q=q,
        if_none_match=if_none_match,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    category_id: UUID | Unset = UNSET,
    author_id: UUID | Unset = UNSET,
    status: PostStatus | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Response[Any | ErrorEnvelope | PostListEnvelope]:
    """List posts

     Newest first. Anonymous callers see published posts only; signed-in callers also see the drafts and
    archived posts they may read.

    Args:
        cursor (str | Unset):
        limit (int | Unset):  Default: 20.
        category_id (UUID | Unset):
        author_id (UUID | Unset):
        status (PostStatus | Unset):
        tag (str | Unset): Lowercase letters, digits and single hyphens.
        q (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | PostListEnvelope]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        category_id=category_id,
        author_id=author_id,
        status=status,
        tag=tag,
        q=q,
        if_none_match=if_none_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: str | Unset = UNSET,
    limit: int | Unset = 20,
    category_id: UUID | Unset = UNSET,
    author_id: UUID | Unset = UNSET,
    status: PostStatus | Unset = UNSET,
    tag: str | Unset = UNSET,
    q: str | Unset = UNSET,
    if_none_match: str | Unset = UNSET,
) -> Any | ErrorEnvelope | PostListEnvelope | None:
    """List posts

     Newest first. Anonymous callers see published posts only; signed-in callers also see the drafts and
    archived posts they may read.

    Args:
        cursor (str | Unset):
        limit (int | Unset):  Default: 20.
        category_id (UUID | Unset):
        author_id (UUID | Unset):
        status (PostStatus | Unset):
        tag (str | Unset): Lowercase letters, digits and single hyphens.
        q (str | Unset):
        if_none_match (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | PostListEnvelope
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            limit=limit,
            category_id=category_id,
            author_id=author_id,
            status=status,
            tag=tag,
            q=q,
            if_none_match=if_none_match,
        )
    ).parsed
