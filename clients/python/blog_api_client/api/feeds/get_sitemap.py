from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    if_none_match: str | Unset = UNSET,
    if_modified_since: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_none_match, Unset):
        headers["If-None-Match"] = if_none_match

    if not isinstance(if_modified_since, Unset):
        headers["If-Modified-Since"] = if_modified_since

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sitemap.xml",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorEnvelope | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 304:
        response_304 = cast(Any, None)
        return response_304

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
) -> Response[Any | ErrorEnvelope | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    if_none_match: str | Unset = UNSET,
    if_modified_since: str | Unset = UNSET,
) -> Response[Any | ErrorEnvelope | str]:
    """Sitemap of the published posts

     The sitemap protocol's `urlset` (sitemaps.org 0.9): the site's home page, then every published
    post's page (`PUBLIC_BASE_URL/posts/{slug}`) with its `lastmod`, newest published first, at most
    50,000 URLs in all (fewer if `SITEMAP_MAX_URLS` says so). At the root, outside `/v1`, because
    crawlers look for it there. With `/health` and `getPostsFeed`, the only operation whose success body
    is not an envelope; its errors are. Revalidate with `If-None-Match` or `If-Modified-Since`.

    Args:
        if_none_match (str | Unset):
        if_modified_since (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    if_none_match: str | Unset = UNSET,
    if_modified_since: str | Unset = UNSET,
) -> Any | ErrorEnvelope | str | None:
    """Sitemap of the published posts

     The sitemap protocol's `urlset` (sitemaps.org 0.9): the site's home page, then every published
    post's page (`PUBLIC_BASE_URL/posts/{slug}`) with its `lastmod`, newest published first, at most
    50,000 URLs in all (fewer if `SITEMAP_MAX_URLS` says so). At the root, outside `/v1`, because
    crawlers look for it there. With `/health` and `getPostsFeed`, the only operation whose success body
    is not an envelope; its errors are. Revalidate with `If-None-Match` or `If-Modified-Since`.

    Args:
        if_none_match (str | Unset):
        if_modified_since (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | str
    """

    return sync_detailed(
        client=client,
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    if_none_match: str | Unset = UNSET,
    if_modified_since: str | Unset = UNSET,
) -> Response[Any | ErrorEnvelope | str]:
    """Sitemap of the published posts

     The sitemap protocol's `urlset` (sitemaps.org 0.9): the site's home page, then every published
    post's page (`PUBLIC_BASE_URL/posts/{slug}`) with its `lastmod`, newest published first, at most
    50,000 URLs in all (fewer if `SITEMAP_MAX_URLS` says so). At the root, outside `/v1`, because
    crawlers look for it there. With `/health` and `getPostsFeed`, the only operation whose success body
    is not an envelope; its errors are. Revalidate with `If-None-Match` or `If-Modified-Since`.

    Args:
        if_none_match (str | Unset):
        if_modified_since (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorEnvelope | str]
    """

    kwargs = _get_kwargs(
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    if_none_match: str | Unset = UNSET,
    if_modified_since: str | Unset = UNSET,
) -> Any | ErrorEnvelope | str | None:
    """Sitemap of the published posts

     The sitemap protocol's `urlset` (sitemaps.org 0.9): the site's home page, then every published
    post's page (`PUBLIC_BASE_URL/posts/{slug}`) with its `lastmod`, newest published first, at most
    50,000 URLs in all (fewer if `SITEMAP_MAX_URLS` says so). At the root, outside `/v1`, because
    crawlers look for it there. With `/health` and `getPostsFeed`, the only operation whose success body
    is not an envelope; its errors are. Revalidate with `If-None-Match` or `If-Modified-Since`.

    Args:
        if_none_match (str | Unset):
        if_modified_since (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorEnvelope | str
    """

    return (
        await asyncio_detailed(
            client=client,
            if_none_match=if_none_match,
            if_modified_since=if_modified_since,
        )
    ).parsed
