"""The feeds' cache: each document under the posts' namespace, and when it last changed.

Every write that can change what a feed shows (creating, editing, publishing, unpublishing,
scheduling or deleting a post) already retires the posts' namespace through the outbox
(app/posts/cache.py), so a document cached under the current generation is never older than the
last such write: the feeds add no invalidation of their own.

A document's Last-Modified is the moment its content first rendered, kept beside it by name with
the ETag it was rendered with: the same content rendered again (after its TTL, or after a write
that did not change it) keeps its moment, and new content gets a later one. Nothing else would
do: the newest `updatedAt` among the entries goes back in time when a post leaves the feed, and
counting the posts that left would show when hidden posts change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import msgspec.structs

from app.platform.cache.entry import Entry, Loaded
from app.platform.cache.keys import PREFIX
from app.platform.cache.reads import Cache
from app.posts.cache import POSTS_NAMESPACE

POSTS_FEED = "posts.atom"
SITEMAP = "sitemap"
# Past this a document's recorded moment is forgotten, and its next render counts as new.
VERSION_TTL_SECONDS = 30 * 86400


def document_key(name: str, namespace: int) -> str:
    return f"{PREFIX}:feeds:{name}:{namespace}"


def version_key(name: str) -> str:
    return f"{PREFIX}:feeds:{name}:version"


async def read(cache: Cache, *, name: str, ttl: int, load: Callable[[], Awaitable[Entry]]) -> Entry:
    """The document under the posts' current namespace; loaded, not cached, without Redis."""
    namespace = await cache.namespace(POSTS_NAMESPACE)
    if namespace is None:
        return await load()

    async def loaded() -> Loaded:
        return Loaded(await load())

    return await cache.read(document_key(name, namespace), ttl=ttl, load=loaded)


async def with_last_modified(cache: Cache, *, name: str, entry: Entry, now: datetime) -> Entry:
    """entry with its Last-Modified (an epoch second) as its one fact.

    While Redis is unavailable that is now: later than any copy a client holds, so a client's
    If-Modified-Since gets the document again rather than a wrong 304.
    """
    key = version_key(name)
    previous: int | None = None
    raw = await cache.store.get(key)
    if raw:
        etag, _, seconds = raw.decode().partition("|")
        if seconds.isdigit():
            if etag == entry.etag:
                return msgspec.structs.replace(entry, facts=(seconds,))
            previous = int(seconds)
    # Whole seconds, as HTTP-dates have them: new content is at least a second past the last.
    moment = int(now.timestamp())
    if previous is not None:
        moment = max(moment, previous + 1)
    value = f"{entry.etag}|{moment}".encode()
    await cache.store.run(lambda r: r.set(key, value, ex=VERSION_TTL_SECONDS), None)
    return msgspec.structs.replace(entry, facts=(str(moment),))


def last_modified(entry: Entry) -> datetime:
    return datetime.fromtimestamp(int(entry.facts[0]), UTC)
