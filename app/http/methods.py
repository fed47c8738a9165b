"""HEAD and OPTIONS on every path of the contract (RFC 9110 9.3.2 and 9.3.7).

Both are implicit, so the contract does not declare them (docs/spec.md, "HEAD and OPTIONS"):

- HEAD: every GET route of the contract also takes HEAD (scripts/codegen/templates/routers.jinja2),
  so HEAD runs the GET exactly (credentials, policy, conditional reads, errors) and
  `MethodsMiddleware` drops the body on the way out, whoever made it: a route, an error handler,
  the cached-read fast path. Status and headers are left as they are, so `Content-Length` is the
  GET body's.
- OPTIONS: answered here, before routing and without credentials: 204 with the path's `Allow`.

Each path's methods come from the contract (generated/operations.py `ALLOWED_METHODS`); a 405
names the same `Allow` (app/http/envelope.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PARAMETER = re.compile(r"\\\{[^/]+?\\\}")


def path_pattern(path: str) -> re.Pattern[str]:
    """A path template's pattern: each {parameter} is one segment, as the router matches it."""
    return re.compile("^" + _PARAMETER.sub("[^/]+", re.escape(path)) + "$")


class AllowedMethods:
    """Which methods a request path has, from the contract's table of path templates."""

    def __init__(self, table: Mapping[str, str]) -> None:
        self.templates = [
            (path_pattern(path), frozenset(m.strip() for m in allow.split(",")))
            for path, allow in table.items()
        ]

    def allow(self, path: str) -> str | None:
        """The Allow header for path, or None when no path of the contract matches it.

        A path that matches several templates (`/v1/users/me` is also a `{userId}`) has the
        methods of all of them: the router sends each of those methods to one of the routes.
        """
        methods: set[str] = set()
        for pattern, allowed in self.templates:
            if pattern.match(path):
                methods |= allowed
        return ", ".join(sorted(methods)) if methods else None


class MethodsMiddleware:
    """Answers OPTIONS for the contract's paths, and sends every HEAD answer without its body."""

    def __init__(self, app: ASGIApp, *, allowed: AllowedMethods) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS" and (allow := self.allowed.allow(scope["path"])) is not None:
            headers = [(b"allow", allow.encode())]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        if method == "HEAD":
            await self.app(scope, receive, _without_body(send))
            return
        await self.app(scope, receive, send)


def _without_body(send: Send) -> Send:
    """send, for a HEAD answer: the status and headers as the app made them, no body bytes."""

    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_head
