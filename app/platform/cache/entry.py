"""A cached value: a response body ready to send, its ETag, and the facts to authorize it."""

from __future__ import annotations

import hashlib

import msgspec

# An empty value marks a key invalidated moments ago: read it as a miss, and do not refill it.
TOMBSTONE = b""


class Entry(msgspec.Struct, frozen=True):
    etag: str
    body: bytes
    facts: tuple[str, ...] = ()

    def encode(self) -> bytes:
        # Header fields never hold "|" or a newline; the body is compact JSON after the first one.
        return "|".join((self.etag, *self.facts)).encode() + b"\n" + self.body

    @classmethod
    def decode(cls, raw: bytes) -> Entry:
        header, _, body = raw.partition(b"\n")
        etag, *facts = header.decode().split("|")
        return cls(etag=etag, body=body, facts=tuple(facts))

    @classmethod
    def of_body(cls, body: bytes, facts: tuple[str, ...] = ()) -> Entry:
        """An entry whose ETag is a digest of the body, for representations without a version."""
        return cls(etag=f'"{hashlib.sha256(body).hexdigest()[:20]}"', body=body, facts=facts)


class Loaded(msgspec.Struct, frozen=True):
    """A freshly loaded entry, and whether anyone else may be served it from the cache."""

    entry: Entry
    shareable: bool = True
