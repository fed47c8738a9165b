"""The Atom feed of the newest posts and the sitemap: published posts only, cached."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import msgspec

from app.feeds import cache as feeds_cache
from app.feeds import render
from app.feeds.repository import FeedRepository
from app.platform.cache.entry import Entry
from app.platform.cache.reads import Cache
from app.platform.db.models import utcnow
from app.platform.db.unit_of_work import UnitOfWork
from app.settings import Settings

# The sitemap protocol's limit on the URLs of one sitemap file.
SITEMAP_PROTOCOL_MAX_URLS = 50_000


class Document(msgspec.Struct, frozen=True):
    body: bytes
    etag: str
    last_modified: datetime


def site(settings: Settings) -> render.Site:
    return render.Site(base_url=settings.public_base_url, title=settings.feed_title)


def _document(entry: Entry) -> Document:
    return Document(
        body=entry.body, etag=entry.etag, last_modified=feeds_cache.last_modified(entry)
    )


async def posts_feed(
    *,
    uow: UnitOfWork,
    cache: Cache,
    settings: Settings,
    now: Callable[[], datetime] = utcnow,
) -> Document:
    """The newest FEED_MAX_ENTRIES published posts as an Atom feed, newest published first."""

    async def load() -> Entry:
        posts = await FeedRepository(uow.session).newest(
            limit=settings.feed_max_entries, body_chars=render.SUMMARY_CHARS + 1
        )
        entry = Entry.of_body(render.atom(site(settings), posts))
        return await feeds_cache.with_last_modified(
            cache, name=feeds_cache.POSTS_FEED, entry=entry, now=now()
        )

    ttl = settings.cache_feed_ttl_seconds
    return _document(await feeds_cache.read(cache, name=feeds_cache.POSTS_FEED, ttl=ttl, load=load))


async def sitemap(
    *,
    uow: UnitOfWork,
    cache: Cache,
    settings: Settings,
    now: Callable[[], datetime] = utcnow,
) -> Document:
    """The home page and up to SITEMAP_MAX_URLS - 1 published posts' pages, newest first."""

    async def load() -> Entry:
        limit = min(settings.sitemap_max_urls, SITEMAP_PROTOCOL_MAX_URLS) - 1
        posts = await FeedRepository(uow.session).sitemap(limit=limit)
        entry = Entry.of_body(render.sitemap(site(settings), posts))
        return await feeds_cache.with_last_modified(
            cache, name=feeds_cache.SITEMAP, entry=entry, now=now()
        )

    ttl = settings.cache_feed_ttl_seconds
    return _document(await feeds_cache.read(cache, name=feeds_cache.SITEMAP, ttl=ttl, load=load))
