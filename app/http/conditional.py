"""Conditional GETs: the cached body with its ETag, or 304 when the client already has it."""

from __future__ import annotations

from starlette.responses import Response

from app.platform.cache.entry import Entry


def matches(etag: str, if_none_match: str) -> bool:
    # Weak comparison (RFC 9110 13.1.2): W/"x" and "x" name the same representation.
    candidates = {value.strip().removeprefix("W/") for value in if_none_match.split(",")}
    return "*" in candidates or etag.removeprefix("W/") in candidates


def respond(entry: Entry, *, if_none_match: str | None) -> Response:
    headers = {"ETag": entry.etag}
    if if_none_match is not None and matches(entry.etag, if_none_match):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type="application/json", headers=headers)
