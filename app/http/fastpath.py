"""Anonymous reads of a cached post answered before routing: the cache's hot path.

Routing, dependency resolution and the request's transaction cost several times the Redis round
trip, and anonymous reads of published posts are most of the traffic. This pure ASGI middleware
serves those hits itself through the same read as the handler (app/posts/cache.py), which
authorizes each hit with its cached facts. Everything else (a caller with credentials, a miss,
a refusal, a parameter the contract refuses) goes on to the app unchanged. A HEAD is served as
the GET it stands for, with the GET body's Content-Length and no body (app/http/methods.py).

What it accepts is taken from the generated routes: their path templates at start-up, and the
contract's limits on each parameter and header when a path first matches a template, so nothing
here repeats the contract.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Annotated, Any

import msgspec
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import AppError
from app.http import conditional
from app.platform.authz import Caller
from app.platform.resources import Resources
from app.posts import cache as posts_cache

_IF_NONE_MATCH = "If-None-Match"
# HEAD is the GET without its body (RFC 9110 9.3.2): every GET route takes it too.
_READS = frozenset({"GET", "HEAD"})


class _CachedRoute(msgspec.Struct, frozen=True):
    """Names the operation in the access log, as a routed request's route does."""

    operation_id: str


def _adapter(field: Any) -> TypeAdapter[Any]:
    info = field.field_info
    annotated: Any = (
        Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    )
    return TypeAdapter(annotated)


class _Limits(msgspec.Struct, frozen=True):
    """The contract's limits on a read's path parameter and its If-None-Match header."""

    param: str
    validate_param: Callable[[Any], Any]
    validate_if_none_match: Callable[[Any], Any]

    @classmethod
    def of(cls, route: APIRoute) -> _Limits:
        (param,) = route.dependant.path_params
        headers = {field.alias: field for field in route.dependant.header_params}
        return cls(
            param=param.alias,
            validate_param=_adapter(param).validate_python,
            validate_if_none_match=_adapter(headers[_IF_NONE_MATCH]).validate_python,
        )


class CachedRead:
    """One operation the fast path serves: its route's pattern, and the contract's limits,
    which are read off the route the first time a path matches the pattern. Reading them builds
    the route (app/http/routes.py), which routing that path would do anyway; until then a
    process that serves no such read, /health included, does not build it."""

    def __init__(self, route: APIRoute, key: Callable[[Any], str]) -> None:
        self.operation_id = str(route.operation_id)
        self.path: re.Pattern[str] = route.path_regex
        self.key = key
        self.route = _CachedRoute(self.operation_id)
        self._source = route

    @cached_property
    def limits(self) -> _Limits:
        return _Limits.of(self._source)

    def key_for(self, path: str) -> str | None:
        """The cache key this path reads, when the route would accept its parameter."""
        match = self.path.match(path)
        if match is None:
            return None
        limits = self.limits
        try:
            return self.key(limits.validate_param(match[limits.param]))
        except ValidationError:
            return None


def cached_reads(routes: Iterable[BaseRoute]) -> list[CachedRead]:
    """The fast path's table, in routing order, from the app's generated routes."""
    return [
        CachedRead(route, posts_cache.ANONYMOUS_READS[route.operation_id])
        for route in routes
        if isinstance(route, APIRoute)
        and route.operation_id in posts_cache.ANONYMOUS_READS
        and "GET" in (route.methods or ())
    ]


class CachedReadMiddleware:
    def __init__(self, app: ASGIApp, *, routes: Iterable[BaseRoute]) -> None:
        self.app = app
        self.reads = cached_reads(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _READS and await self._serve(scope, send):
            return
        await self.app(scope, receive, send)

    def _read_for(self, path: str) -> tuple[CachedRead, str] | None:
        for read in self.reads:
            if (key := read.key_for(path)) is not None:
                return read, key
        return None

    async def _serve(self, scope: Scope, send: Send) -> bool:
        resources: Resources | None = scope.get("state", {}).get("resources")
        if resources is None or not resources.cache.enabled:
            return False
        found = self._read_for(scope["path"])
        if found is None:
            return False
        read, key = found
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                return False
            if name == b"if-none-match":
                if_none_match = value.decode("latin-1")
                try:
                    read.limits.validate_if_none_match(if_none_match)
                except ValidationError:
                    return False
        caller = Caller(
            operation=read.operation_id, principal=None, authorizer=resources.authorizer
        )
        try:
            entry = await posts_cache.cached_read(cache=resources.cache, caller=caller, key=key)
        except AppError:
            return False
        if entry is None:
            return False
        scope["route"] = read.route
        # Raw messages: a Response object per hit costs more than the rest of this method.
        etag = entry.etag.encode()
        if if_none_match is not None and conditional.matches(entry.etag, if_none_match):
            await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag)]})
            await send({"type": "http.response.body", "body": b""})
            return True
        headers = [
            (b"content-length", str(len(entry.body)).encode()),
            (b"content-type", b"application/json"),
            (b"etag", etag),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        body = b"" if scope["method"] == "HEAD" else entry.body
        await send({"type": "http.response.body", "body": body})
        return True
