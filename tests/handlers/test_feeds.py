"""GET /v1/feeds/posts.atom and GET /sitemap.xml over HTTP: documents, not envelopes, with
validators that answer 304, published posts only, and fresh after every post write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import feedparser
import httpx
import pytest

from app.settings import Settings
from tests.feeds.test_render import sitemap_urls
from tests.fixtures.actors import Actor
from tests.helpers import assert_error, data

pytestmark = pytest.mark.usefixtures("real_redis")

FEED = "/v1/feeds/posts.atom"
SITEMAP = "/sitemap.xml"
BASE = "https://blog.example.com"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"public_base_url": BASE, "feed_max_entries": 3})


async def create_post(client: httpx.AsyncClient, actor: Actor, **fields: Any) -> dict[str, Any]:
    body = {"title": "Hello", "body": "Body", **fields}
    created: dict[str, Any] = data(
        await client.post("/v1/posts", json=body, headers=actor.headers), 201
    )
    return created


async def change_post(
    client: httpx.AsyncClient, actor: Actor, post_id: str, **changes: Any
) -> dict[str, Any]:
    path = f"/v1/posts/{post_id}"
    etag = (await client.get(path, headers=actor.headers)).headers["ETag"]
    headers = {**actor.headers, "If-Match": etag}
    changed: dict[str, Any] = data(await client.patch(path, json=changes, headers=headers))
    return changed


def entries(response: httpx.Response) -> list[Any]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/atom+xml"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return list(feed.entries)


def locations(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/xml"
    return [url["loc"] for url in sitemap_urls(response.text)]


class TestRefusals:
    @pytest.mark.parametrize("path", [FEED, SITEMAP])
    async def test_an_overlong_validator_is_the_error_envelope(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        response = await client.get(path, headers={"If-None-Match": '"' + "a" * 1100 + '"'})
        assert_error(response, 422, "VALIDATION_ERROR")
        response = await client.get(path, headers={"If-Modified-Since": "x" * 65})
        assert_error(response, 422, "VALIDATION_ERROR")

    @pytest.mark.parametrize("path", [FEED, SITEMAP])
    async def test_other_methods_are_refused(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.post(path)
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


class TestPostsFeed:
    async def test_without_posts_it_is_an_empty_atom_feed(self, client: httpx.AsyncClient) -> None:
        response = await client.get(FEED)
        assert entries(response) == []
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.headers["ETag"].startswith('"')
        assert parsedate_to_datetime(response.headers["Last-Modified"]).tzinfo is not None
        feed = feedparser.parse(response.content).feed
        assert feed.id == f"{BASE}/v1/feeds/posts.atom"

    async def test_drafts_and_scheduled_drafts_never_appear(
        self, client: httpx.AsyncClient, author: Actor, editor: Actor
    ) -> None:
        await create_post(client, author, title="Draft")
        later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        await create_post(client, author, title="Scheduled", publishAt=later)
        await create_post(client, editor, title="Public", status="published")
        # Whoever asks, the feed is the public one: staff and the drafts' author included.
        for headers in ({}, author.headers, editor.headers):
            titles = [e.title for e in entries(await client.get(FEED, headers=headers))]
            assert titles == ["Public"]
        assert locations(await client.get(SITEMAP)) == [f"{BASE}/", f"{BASE}/posts/public"]

    async def test_newest_first_capped_with_absolute_links(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        for title in ("One", "Two", "Three", "Four"):
            await create_post(client, author, title=title, status="published")
        got = entries(await client.get(FEED))
        assert [e.title for e in got] == ["Four", "Three", "Two"]
        assert [e.link for e in got] == [f"{BASE}/posts/{t}" for t in ("four", "three", "two")]
        assert {e.author for e in got} == {"Test User"}

    async def test_text_is_escaped_and_control_characters_keep_it_valid(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        title = '<b>Bold</b> & "quoted" ]]>'
        body = "Bell\x07, escape\x1b and <script>alert(1)</script>"
        await create_post(client, author, title=title, body=body, status="published")
        response = await client.get(FEED)
        (entry,) = entries(response)
        assert entry.title == title
        assert entry.summary == "Bell\ufffd, escape\ufffd and <script>alert(1)</script>"
        assert b"<script>" not in response.content

    async def test_a_publish_shows_on_the_next_read_and_a_delete_hides(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        draft = await create_post(client, author, title="Soon")
        assert entries(await client.get(FEED)) == []  # now cached
        await change_post(client, author, draft["id"], status="published")
        assert [e.title for e in entries(await client.get(FEED))] == ["Soon"]
        assert locations(await client.get(SITEMAP)) == [f"{BASE}/", f"{BASE}/posts/soon"]

        await change_post(client, author, draft["id"], title="Renamed")
        assert [e.title for e in entries(await client.get(FEED))] == ["Renamed"]
        deleted = await client.delete(f"/v1/posts/{draft['id']}", headers=author.headers)
        assert deleted.status_code == 204
        assert entries(await client.get(FEED)) == []
        assert locations(await client.get(SITEMAP)) == [f"{BASE}/"]

    async def test_unpublishing_removes_the_post(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await create_post(client, author, title="Brief", status="published")
        assert len(entries(await client.get(FEED))) == 1
        await change_post(client, author, post["id"], status="draft")
        assert entries(await client.get(FEED)) == []


class TestValidators:
    @pytest.mark.parametrize("path", [FEED, SITEMAP])
    async def test_if_none_match_answers_304_with_the_validators(
        self, client: httpx.AsyncClient, author: Actor, path: str
    ) -> None:
        await create_post(client, author, status="published")
        first = await client.get(path)
        again = await client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert again.content == b""
        for name in ("ETag", "Last-Modified", "Cache-Control"):
            assert again.headers[name] == first.headers[name]

    @pytest.mark.parametrize("path", [FEED, SITEMAP])
    async def test_an_old_etag_gets_the_new_document(
        self, client: httpx.AsyncClient, author: Actor, path: str
    ) -> None:
        old = await client.get(path)
        await create_post(client, author, status="published")
        fresh = await client.get(path, headers={"If-None-Match": old.headers["ETag"]})
        assert fresh.status_code == 200
        assert fresh.headers["ETag"] != old.headers["ETag"]

    @pytest.mark.parametrize("path", [FEED, SITEMAP])
    async def test_if_modified_since_answers_304_from_last_modified_on(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        first = await client.get(path)
        last_modified = parsedate_to_datetime(first.headers["Last-Modified"])
        for since in (last_modified, last_modified + timedelta(days=1)):
            header = {"If-Modified-Since": format_datetime(since, usegmt=True)}
            assert (await client.get(path, headers=header)).status_code == 304
        earlier = {
            "If-Modified-Since": format_datetime(last_modified - timedelta(seconds=1), usegmt=True)
        }
        assert (await client.get(path, headers=earlier)).status_code == 200

    async def test_a_change_is_later_than_any_date_a_client_holds(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await create_post(client, author, status="published")
        held = (await client.get(FEED)).headers["Last-Modified"]
        await change_post(client, author, post["id"], status="draft")
        after = await client.get(FEED, headers={"If-Modified-Since": held})
        assert entries(after) == []
        assert parsedate_to_datetime(after.headers["Last-Modified"]) > parsedate_to_datetime(held)

    @pytest.mark.parametrize("since", ["yesterday", "", "Mon, 99 Foo 2026 25:61:61 GMT"])
    async def test_a_date_that_is_not_an_http_date_is_ignored(
        self, client: httpx.AsyncClient, since: str
    ) -> None:
        response = await client.get(FEED, headers={"If-Modified-Since": since})
        assert entries(response) == []

    async def test_if_none_match_wins_over_if_modified_since(
        self, client: httpx.AsyncClient
    ) -> None:
        first = await client.get(FEED)
        both = {"If-None-Match": '"other"', "If-Modified-Since": first.headers["Last-Modified"]}
        assert (await client.get(FEED, headers=both)).status_code == 200

    @pytest.mark.parametrize("path", [FEED, SITEMAP])
    async def test_head_is_the_get_without_its_body(
        self, client: httpx.AsyncClient, author: Actor, path: str
    ) -> None:
        await create_post(client, author, status="published")
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["Content-Length"] == str(len(got.content))
        for name in ("Content-Type", "ETag", "Last-Modified", "Cache-Control"):
            assert head.headers[name] == got.headers[name]
        conditional = await client.head(path, headers={"If-None-Match": got.headers["ETag"]})
        assert conditional.status_code == 304
