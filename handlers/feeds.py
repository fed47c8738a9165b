from __future__ import annotations

from starlette.responses import Response

from app.feeds import service as feeds_service
from app.http import conditional
from app.http.context import RequestContext

ATOM = "application/atom+xml"
XML = "application/xml"


def _respond(
    ctx: RequestContext,
    document: feeds_service.Document,
    *,
    media_type: str,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> Response:
    return conditional.respond_document(
        body=document.body,
        media_type=media_type,
        etag=document.etag,
        last_modified=document.last_modified,
        cache_control=f"public, max-age={ctx.resources.settings.feed_max_age_seconds}",
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
    )


async def get_posts_feed(
    ctx: RequestContext, *, if_none_match: str | None, if_modified_since: str | None
) -> Response:
    document = await feeds_service.posts_feed(
        uow=ctx.uow, cache=ctx.resources.cache, settings=ctx.resources.settings
    )
    return _respond(
        ctx,
        document,
        media_type=ATOM,
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
    )


async def get_sitemap(
    ctx: RequestContext, *, if_none_match: str | None, if_modified_since: str | None
) -> Response:
    document = await feeds_service.sitemap(
        uow=ctx.uow, cache=ctx.resources.cache, settings=ctx.resources.settings
    )
    return _respond(
        ctx,
        document,
        media_type=XML,
        if_none_match=if_none_match,
        if_modified_since=if_modified_since,
    )
