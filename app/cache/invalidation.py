"""What each write makes stale. Runs after the write commits, so no reader refills the old value."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from app.cache import keys
from app.cache.reads import Cache
from app.core.context import RequestContext


def post_created(ctx: RequestContext) -> None:
    """A new post: every list page (its own detail keys cannot be cached yet)."""
    ctx.after_commit(lambda: ctx.state.cache.invalidate(namespaces=[keys.POSTS_NAMESPACE]))


def post_changed(ctx: RequestContext, *, post_id: uuid.UUID, slugs: Iterable[str]) -> None:
    """A post was edited, published or deleted: its detail keys and every list page."""
    entries = keys.post_details(post_id, slugs)
    ctx.after_commit(
        lambda: ctx.state.cache.invalidate(entries=entries, namespaces=[keys.POSTS_NAMESPACE])
    )


def categories_changed(ctx: RequestContext) -> None:
    ctx.after_commit(lambda: ctx.state.cache.invalidate(entries=[keys.CATEGORY_LIST]))


def sessions_ended(ctx: RequestContext, token_hashes: Iterable[str]) -> None:
    """Sessions ended or changed role: the next request with their tokens reads the database."""
    hashes = list(token_hashes)
    if hashes:
        ctx.after_commit(lambda: end_cached_sessions(cache=ctx.state.cache, token_hashes=hashes))


async def end_cached_sessions(*, cache: Cache, token_hashes: Iterable[str]) -> None:
    """Tombstone the cached sessions of these token hashes, once their change has committed."""
    entries = [keys.session(token_hash) for token_hash in token_hashes]
    if entries:
        await cache.invalidate(entries=entries)
