"""Conditional GETs: the cached body with its ETag, or 304 when the client already has it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

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


def unchanged_since(last_modified: datetime, if_modified_since: str) -> bool:
    """Whether If-Modified-Since names a moment at or after last_modified (RFC 9110 13.1.3);
    a value that is not an HTTP-date is ignored, so it answers False."""
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    if since.tzinfo is None:  # "-0000": UTC, with no claim about the local zone
        since = since.replace(tzinfo=UTC)
    return last_modified <= since


def respond_document(
    *,
    body: bytes,
    media_type: str,
    etag: str,
    last_modified: datetime,
    cache_control: str,
    if_none_match: str | None,
    if_modified_since: str | None,
) -> Response:
    """A document that is not an envelope (the feeds), or 304 when the client's copy is current.

    If-None-Match decides when sent; only without it is If-Modified-Since read (RFC 9110 13.2.2).
    """
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(last_modified.astimezone(UTC), usegmt=True),
        "Cache-Control": cache_control,
    }
    if if_none_match is not None:
        current = matches(etag, if_none_match)
    else:
        current = if_modified_since is not None and unchanged_since(
            last_modified, if_modified_since
        )
    if current:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
