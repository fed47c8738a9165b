"""The feed and the sitemap as XML documents, from the posts the repository read.

Built with the standard library's ElementTree, which escapes text and attribute values; what it
does not do is refuse the characters XML 1.0 cannot carry at all (most C0 controls, lone
surrogates, U+FFFE and U+FFFF), which a post's title or body may hold: text() replaces them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import msgspec

from app.feeds.repository import FeedPost, SitemapPost

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_PATH = "/v1/feeds/posts.atom"
# A summary is the body's start, whitespace collapsed, cut to this many characters.
SUMMARY_CHARS = 500
# The feed's updated time while it has no entry.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


class Site(msgspec.Struct, frozen=True):
    """Where the public pages live: PUBLIC_BASE_URL, without a trailing slash."""

    base_url: str
    title: str

    @property
    def home(self) -> str:
        return f"{self.base_url}/"

    @property
    def feed_url(self) -> str:
        return f"{self.base_url}{FEED_PATH}"

    def post_url(self, slug: str) -> str:
        return f"{self.base_url}/posts/{slug}"


def text(value: str) -> str:
    """value with every character XML 1.0 cannot carry written as U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC to the second, as Atom and the sitemap's W3C datetime both take it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def summary(body_start: str) -> str:
    """The body's start on one line, cut to SUMMARY_CHARS with an ellipsis when the body is
    longer (body_start holds one character more than that when it is)."""
    collapsed = " ".join(body_start.split())
    if len(body_start) <= SUMMARY_CHARS:
        return collapsed
    return collapsed[: SUMMARY_CHARS - 1].rstrip() + "\u2026"


def updated(posts: Iterable[FeedPost]) -> datetime:
    """The newest change among the entries: the feed's own updated time."""
    return max((post.updated_at for post in posts), default=EPOCH)


def _child(parent: ET.Element, tag: str, value: str | None = None, **attributes: str) -> None:
    element = ET.SubElement(parent, tag, attributes)
    if value is not None:
        element.text = text(value)


def _document(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    return (_DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode()


def atom(site: Site, posts: Sequence[FeedPost]) -> bytes:
    """An Atom 1.0 feed (RFC 4287) of posts, in their order."""
    feed = ET.Element("feed", xmlns=ATOM_NS)
    _child(feed, "id", site.feed_url)
    _child(feed, "title", site.title)
    _child(feed, "updated", timestamp(updated(posts)))
    _child(feed, "link", rel="self", type="application/atom+xml", href=site.feed_url)
    _child(feed, "link", rel="alternate", type="text/html", href=site.home)
    for post in posts:
        entry = ET.SubElement(feed, "entry")
        _child(entry, "id", post.id.urn)
        _child(entry, "title", post.title, type="text")
        _child(entry, "updated", timestamp(post.updated_at))
        _child(entry, "published", timestamp(post.published_at))
        _child(entry, "link", rel="alternate", type="text/html", href=site.post_url(post.slug))
        author = ET.SubElement(entry, "author")
        _child(author, "name", post.author_name)
        if short := summary(post.body_start):
            _child(entry, "summary", short, type="text")
    return _document(feed)


def sitemap(site: Site, posts: Sequence[SitemapPost]) -> bytes:
    """A sitemap 0.9 urlset: the home page, then each post's page with its lastmod."""
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    home = ET.SubElement(urlset, "url")
    _child(home, "loc", site.home)
    for post in posts:
        url = ET.SubElement(urlset, "url")
        _child(url, "loc", site.post_url(post.slug))
        _child(url, "lastmod", timestamp(post.updated_at))
    return _document(urlset)
