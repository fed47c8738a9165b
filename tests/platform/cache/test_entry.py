"""A cache entry's encoding: what goes in comes back out, body, ETag and facts."""

from __future__ import annotations

from app.platform.cache.entry import Entry


def test_entry_round_trips_a_body_with_newlines_and_pipes() -> None:
    entry = Entry(etag='"abc"', body=b'{"a":"x|y"}\n{"b":1}', facts=("owner", "published"))
    assert Entry.decode(entry.encode()) == entry


def test_entry_without_facts() -> None:
    entry = Entry.of_body(b"[]")
    assert Entry.decode(entry.encode()) == entry
    assert entry.etag.startswith('"')
    assert entry.etag.endswith('"')
    assert Entry.of_body(b"[1]").etag != entry.etag
