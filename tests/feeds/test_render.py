"""The feed and the sitemap as documents: read back by a real feed parser and validated against
the sitemap protocol's schema, whatever characters the posts hold."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
import xmlschema
import yaml

from app.feeds import render
from app.feeds.repository import FeedPost, SitemapPost

ROOT = Path(__file__).resolve().parents[2]
SITEMAP_SCHEMA = xmlschema.XMLSchema(Path(__file__).with_name("sitemap.xsd"))
SITE = render.Site(base_url="https://blog.example.com", title="Blog")
NOW = datetime(2026, 11, 24, 11, 12, 45, tzinfo=UTC)


def post(**fields: Any) -> FeedPost:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "title": "Hello, world",
        "slug": "hello-world",
        "body_start": "The body.",
        "author_name": "Ada Lovelace",
        "published_at": NOW - timedelta(hours=2),
        "updated_at": NOW,
        **fields,
    }
    return FeedPost(**values)


def sitemap_urls(document: str) -> list[dict[str, str]]:
    """The url elements of a sitemap valid against the protocol's schema, as dicts."""
    SITEMAP_SCHEMA.validate(document)
    decoded: Any = SITEMAP_SCHEMA.to_dict(document)
    urls: list[dict[str, str]] = decoded["url"]
    return urls


def parsed(document: bytes) -> Any:
    feed = feedparser.parse(document)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


class TestText:
    @pytest.mark.parametrize(
        ("raw", "written"),
        [
            ("bell\x07", "bell\ufffd"),
            ("nul\x00", "nul\ufffd"),
            ("escape\x1b[0m", "escape\ufffd[0m"),
            ("lone \ud800 surrogate", "lone \ufffd surrogate"),
            ("not \ufffe or \uffff", "not \ufffd or \ufffd"),
        ],
    )
    def test_characters_xml_cannot_carry_become_replacement_characters(
        self, raw: str, written: str
    ) -> None:
        assert render.text(raw) == written

    def test_what_xml_carries_is_kept(self) -> None:
        kept = "tab\tline\ncr\r <&>\"' \x7f\x85 é \U0001f600 \ud7ff \ue000"
        assert render.text(kept) == kept


class TestSummary:
    def test_a_long_body_is_cut_with_an_ellipsis(self) -> None:
        cut = render.summary("word " * 200)
        assert len(cut) == render.SUMMARY_CHARS
        assert cut.endswith("word\u2026")

    def test_a_body_of_exactly_the_limit_is_whole(self) -> None:
        body = "x" * render.SUMMARY_CHARS
        assert render.summary(body) == body

    def test_whitespace_is_collapsed_to_one_line(self) -> None:
        assert render.summary("  First line.\n\n\tSecond   line.  ") == "First line. Second line."


class TestAtom:
    def test_an_empty_feed_is_valid_atom(self) -> None:
        feed = parsed(render.atom(SITE, []))
        assert feed.entries == []
        assert feed.feed.id == "https://blog.example.com/v1/feeds/posts.atom"
        assert feed.feed.updated == "1970-01-01T00:00:00Z"

    def test_entries_keep_their_order_links_and_ids(self) -> None:
        newer = post(slug="newer", title="Newer")
        older = post(slug="older", title="Older", updated_at=NOW - timedelta(days=1))
        feed = parsed(render.atom(SITE, [newer, older]))
        assert [e.title for e in feed.entries] == ["Newer", "Older"]
        assert [e.link for e in feed.entries] == [
            "https://blog.example.com/posts/newer",
            "https://blog.example.com/posts/older",
        ]
        assert [e.id for e in feed.entries] == [f"urn:uuid:{newer.id}", f"urn:uuid:{older.id}"]
        assert feed.feed.updated == "2026-11-24T11:12:45Z"
        self_links = [link.href for link in feed.feed.links if link.rel == "self"]
        assert self_links == ["https://blog.example.com/v1/feeds/posts.atom"]

    def test_entry_fields(self) -> None:
        entry = parsed(render.atom(SITE, [post()])).entries[0]
        assert entry.author == "Ada Lovelace"
        assert entry.published == "2026-11-24T09:12:45Z"
        assert entry.updated == "2026-11-24T11:12:45Z"
        assert entry.summary == "The body."

    def test_markup_in_text_is_escaped_not_interpreted(self) -> None:
        hostile = '<script>alert("x")</script> & <b>bold</b> ]]>'
        document = render.atom(SITE, [post(title=hostile, body_start=hostile, author_name=hostile)])
        assert b"<script>" not in document
        entry = parsed(document).entries[0]
        assert (entry.title, entry.summary, entry.author) == (hostile, hostile, hostile)
        assert entry.title_detail.type == "text/plain"

    def test_control_characters_still_make_valid_xml(self) -> None:
        nasty = "Bell\x07 escape\x1b lone\ud800 end\uffff"
        document = render.atom(SITE, [post(title=nasty, body_start=nasty, author_name=nasty)])
        entry = parsed(document).entries[0]
        assert entry.title == "Bell\ufffd escape\ufffd lone\ufffd end\ufffd"

    def test_an_empty_body_has_no_summary(self) -> None:
        assert "summary" not in parsed(render.atom(SITE, [post(body_start="")])).entries[0]


class TestSitemap:
    def test_without_posts_it_names_the_home_page(self) -> None:
        document = render.sitemap(SITE, []).decode()
        assert sitemap_urls(document) == [{"loc": "https://blog.example.com/"}]

    def test_posts_follow_the_home_page_with_their_lastmod(self) -> None:
        posts = [SitemapPost("newer", NOW), SitemapPost("older", NOW - timedelta(days=3))]
        urls = sitemap_urls(render.sitemap(SITE, posts).decode())
        assert urls[1:] == [
            {"loc": "https://blog.example.com/posts/newer", "lastmod": "2026-11-24T11:12:45Z"},
            {"loc": "https://blog.example.com/posts/older", "lastmod": "2026-11-21T11:12:45Z"},
        ]

    def test_the_schema_refuses_what_the_protocol_does(self) -> None:
        bad = render.sitemap(SITE, [SitemapPost("x", NOW)]).replace(b"<lastmod>", b"<when>")
        assert not SITEMAP_SCHEMA.is_valid(bad.replace(b"</lastmod>", b"</when>").decode())


def contract_example(name: str) -> str:
    spec = yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())
    value: str = spec["components"]["examples"][name]["value"]
    return value


def test_the_contract_examples_are_what_is_rendered() -> None:
    """The documents the contract shows are the renderer's, byte for byte, for their post."""
    example = post(
        id=uuid.UUID("6a880c28-71ee-4a3d-a5b4-242a817de83a"),
        body_start="The first post on this blog, now with a diagram of the engine.",
        published_at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
    )
    assert render.atom(SITE, [example]).decode() == contract_example("PostsAtomFeed")
    sitemap = render.sitemap(SITE, [SitemapPost("hello-world", NOW)])
    assert sitemap.decode() == contract_example("PostsSitemap")
