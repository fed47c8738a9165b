"""The posts' cache: its keys, the one read of a cached post, and what each write makes stale.

Only published posts are shared through the cache; drafts are read from the database. A cached
body keeps the view count it was read with, so it lags the counter by at most the post TTL.
Every hit is authorized again with the facts stored beside it (PostFacts), by the same function
whether the hit is served before routing (app/http/fastpath.py) or by the handler, and whether it
came from Redis or from this process's L1 (the detail keys hold only what anyone may be shown).

Imported before routing: nothing here loads the database layer.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from app.platform.authz import Caller
from app.platform.cache.entry import Entry, Loaded
from app.platform.cache.keys import PREFIX
from app.platform.cache.reads import Cache, Loader
from app.platform.db.unit_of_work import UnitOfWork
from app.platform.outbox import messages
from app.posts.authz import PostFacts

if TYPE_CHECKING:
    from app.platform.db.models import Post

POSTS_NAMESPACE = f"{PREFIX}:posts:ns"


def by_id(post_id: uuid.UUID) -> str:
    return f"{PREFIX}:post:id:{post_id}:public"


def by_slug(slug: str) -> str:
    return f"{PREFIX}:post:slug:{slug}:public"


def _details(post_id: uuid.UUID, slugs: Iterable[str]) -> list[str]:
    return [by_id(post_id), *(by_slug(slug) for slug in set(slugs))]


def _list_key(*, namespace: int, scope: str, params: Iterable[object]) -> str:
    digest = hashlib.sha256("\x1f".join(map(str, params)).encode()).hexdigest()[:32]
    return f"{PREFIX}:posts:list:{namespace}:{scope}:{digest}"


def loaded(post: Post, *, etag: str, body: bytes) -> Loaded:
    """The entry of a post's representation; shared with other callers only once published."""
    entry = Entry(etag=etag, body=body, facts=PostFacts.of(post).encode())
    return Loaded(entry, shareable=post.status == "published")


async def cached_read(
    *, cache: Cache, caller: Caller, key: str, load: Loader | None = None
) -> Entry | None:
    """The post under key, authorized for caller (404, 401 or 403 otherwise).

    Without load, only a cache hit answers and a miss is None; with load, a miss is loaded once
    and stored when it may be shared.
    """
    if load is None:
        raw = await cache.store.get_local(key)
        if not raw:
            return None
        entry = Entry.decode(raw)
    else:
        ttl = cache.settings.cache_post_ttl_seconds
        entry = await cache.read(key, ttl=ttl, load=load, local=True)
    caller.require(PostFacts.decode(entry.facts).resource())
    return entry


def _scope(visibility: str, caller: Caller) -> str:
    """A list key's visibility scope: who else may be served the same page."""
    if visibility == "published_or_own" and caller.principal is not None:
        return f"own-{caller.principal.user_id}"
    return visibility


async def list_read(
    *,
    cache: Cache,
    caller: Caller,
    visibility: str,
    params: Iterable[object],
    load: Loader,
) -> Entry:
    """A page of the list, cached per visibility scope under the posts' namespace.

    A write bumps the namespace, which retires every page at once; while Redis is unavailable
    the page is loaded and not cached.
    """
    namespace = await cache.namespace(POSTS_NAMESPACE)
    if namespace is None:
        return (await load()).entry
    key = _list_key(namespace=namespace, scope=_scope(visibility, caller), params=params)
    return await cache.read(key, ttl=cache.settings.cache_list_ttl_seconds, load=load)


def post_created(uow: UnitOfWork) -> None:
    """A new post: every list page (its own detail keys cannot be cached yet)."""
    uow.emit(messages.invalidate(namespaces=[POSTS_NAMESPACE]))


def post_changed(uow: UnitOfWork, *, post_id: uuid.UUID, slugs: Iterable[str]) -> None:
    """A post was edited, published or deleted: its detail keys and every list page."""
    uow.emit(messages.invalidate(entries=_details(post_id, slugs), namespaces=[POSTS_NAMESPACE]))


def posts_changed(uow: UnitOfWork, *, posts: Iterable[tuple[uuid.UUID, str]]) -> None:
    """Several posts changed at once (a tag they show was renamed or deleted): the detail keys
    of each, (id, slug), and every list page, in one invalidation."""
    entries = [key for post_id, slug in posts for key in _details(post_id, [slug])]
    uow.emit(messages.invalidate(entries=entries, namespaces=[POSTS_NAMESPACE]))


# The reads an anonymous caller's request may be answered from the cache before routing, by
# operationId, with the key each reads from its path parameter (app/http/fastpath.py).
ANONYMOUS_READS: dict[str, Callable[[Any], str]] = {"getPost": by_id, "getPostBySlug": by_slug}
