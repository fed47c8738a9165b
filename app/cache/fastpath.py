"""Anonymous reads of a cached post answered before routing: the cache's hot path.

Routing, dependency resolution and the request's transaction cost several times the Redis round
trip, and anonymous reads of published posts are most of the traffic. This pure ASGI middleware
serves those hits itself, still asking the policy with the cached facts. Everything else (a
caller with credentials, a miss, a refusal, an oversized header) goes on to the app unchanged.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from app.authz import Resource
from app.cache import http as http_cache
from app.cache import keys
from app.cache.entry import Entry
from app.core.errors import AppError
from app.core.state import AppState

_BY_ID = re.compile(r"^/v1/posts/([0-9A-Fa-f-]{32,36})$")
_BY_SLUG = re.compile(r"^/v1/posts/by-slug/([a-z0-9]+(?:-[a-z0-9]+)*)$")
_MAX_SLUG = 120
_MAX_IF_NONE_MATCH = 1024


@dataclass(frozen=True, slots=True)
class _CachedRoute:
    """Names the operation in the access log, as a routed request's route does."""

    operation_id: str


def post_resource(entry: Entry) -> Resource:
    owner_id, status = entry.facts
    return Resource(type="post", owner_id=uuid.UUID(owner_id), status=status)


def _key(path: str) -> tuple[str, str] | None:
    """The operation and cache key a GET path reads, when it is a cached post read."""
    if match := _BY_ID.match(path):
        try:
            return "getPost", keys.post_by_id(uuid.UUID(match[1]))
        except ValueError:
            return None
    if (match := _BY_SLUG.match(path)) and len(match[1]) <= _MAX_SLUG:
        return "getPostBySlug", keys.post_by_slug(match[1])
    return None


class CachedReadMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and await self._serve(scope, send):
            return
        await self.app(scope, receive, send)

    async def _serve(self, scope: Scope, send: Send) -> bool:
        found = _key(scope["path"])
        state: AppState | None = scope.get("state", {}).get("app_state")
        if found is None or state is None or not state.cache.enabled:
            return False
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                return False
            if name == b"if-none-match":
                if len(value) > _MAX_IF_NONE_MATCH:
                    return False
                if_none_match = value.decode("latin-1")
        operation, key = found
        raw = await state.cache.store.get(key)
        if not raw:
            return False
        entry = Entry.decode(raw)
        try:
            state.authorizer.require(
                operation=operation, principal=None, resource=post_resource(entry)
            )
        except AppError:
            return False
        scope["route"] = _CachedRoute(operation)
        # Raw messages: a Response object per hit costs more than the rest of this method.
        etag = entry.etag.encode()
        if if_none_match is not None and http_cache.matches(entry.etag, if_none_match):
            await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag)]})
            await send({"type": "http.response.body", "body": b""})
            return True
        headers = [
            (b"content-length", str(len(entry.body)).encode()),
            (b"content-type", b"application/json"),
            (b"etag", etag),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body})
        return True
