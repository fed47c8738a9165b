"""Conditional GETs: the body with its ETag, or 304 without a body when the client has it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.responses import Response

from app.http.conditional import respond, respond_document, unchanged_since
from app.platform.cache.entry import Entry
from tests.fixtures.actors import Actor
from tests.handlers.test_posts import create_post
from tests.helpers import data


@pytest.mark.parametrize("header", ['"nope"', "", "W/", '"abc', "abc"])
def test_respond_sends_the_body_when_nothing_matches(header: str) -> None:
    response = respond(Entry(etag='"abc"', body=b"{}"), if_none_match=header)
    assert response.status_code == 200
    assert response.body == b"{}"
    assert response.headers["ETag"] == '"abc"'


@pytest.mark.parametrize("header", ['"abc"', 'W/"abc"', '"x", "abc"', "*"])
def test_respond_answers_304_on_a_match(header: str) -> None:
    response = respond(Entry(etag='"abc"', body=b"{}"), if_none_match=header)
    assert response.status_code == 304
    assert response.body == b""


@pytest.mark.usefixtures("real_redis")
class TestConditionalGet:
    async def test_matching_etag_answers_304_without_body(
        self, client: httpx.AsyncClient, author: Actor
    ) -> None:
        post = await create_post(client, author, status="published")
        url = f"/v1/posts/{post['id']}"
        etag = (await client.get(url)).headers["ETag"]
        for value in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            response = await client.get(url, headers={"If-None-Match": value})
            assert response.status_code == 304, value
            assert response.content == b""
            assert response.headers["ETag"] == etag

    async def test_stale_etag_answers_200(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await create_post(client, author, status="published")
        url = f"/v1/posts/{post['id']}"
        response = await client.get(url, headers={"If-None-Match": '"stale"'})
        assert data(response)["id"] == post["id"]

    async def test_edit_changes_the_etag(self, client: httpx.AsyncClient, author: Actor) -> None:
        post = await create_post(client, author, status="published")
        url = f"/v1/posts/{post['id']}"
        etag = (await client.get(url)).headers["ETag"]
        headers = {**author.headers, "If-Match": etag}
        data(await client.patch(url, json={"title": "New"}, headers=headers))
        response = await client.get(url, headers={"If-None-Match": etag})
        assert data(response)["title"] == "New"

    @pytest.mark.parametrize("path", ["/v1/posts", "/v1/categories"])
    async def test_lists(self, client: httpx.AsyncClient, path: str) -> None:
        etag = (await client.get(path)).headers["ETag"]
        assert (await client.get(path, headers={"If-None-Match": etag})).status_code == 304


CHANGED = datetime(2026, 11, 24, 11, 21, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "unchanged"),
    [
        ("Tue, 24 Nov 2026 11:21:30 GMT", True),
        ("Tue, 24 Nov 2026 11:21:31 GMT", True),
        ("Tue, 24 Nov 2026 11:21:29 GMT", False),
        # The obsolete formats RFC 9110 has recipients accept, and a zone that is not GMT.
        ("Tue, 24 Nov 2026 12:21:30 +0100", True),
        ("Tue, 24 Nov 2026 11:21:30 -0000", True),
        ("not a date", False),
        ("", False),
        ("Tue, 99 Nov 2026 11:21:30 GMT", False),
        ("Tue, 24 Nov 99999 11:21:30 GMT", False),
    ],
)
def test_unchanged_since_reads_http_dates_and_ignores_the_rest(since: str, unchanged: bool) -> None:
    assert unchanged_since(CHANGED, since) is unchanged


def document(**validators: Any) -> Response:
    return respond_document(
        body=b"<feed/>",
        media_type="application/atom+xml",
        etag='"abc"',
        last_modified=CHANGED,
        cache_control="public, max-age=60",
        **{"if_none_match": None, "if_modified_since": None, **validators},
    )


def test_a_document_carries_its_validators() -> None:
    response = document()
    assert response.status_code == 200
    assert response.body == b"<feed/>"
    assert response.headers["Content-Type"] == "application/atom+xml"
    assert response.headers["Last-Modified"] == "Tue, 24 Nov 2026 11:21:30 GMT"
    assert response.headers["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize(
    "validators",
    [
        {"if_none_match": '"abc"'},
        {"if_modified_since": "Tue, 24 Nov 2026 11:21:30 GMT"},
        {"if_none_match": '"abc"', "if_modified_since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    ],
)
def test_a_current_copy_gets_304_with_the_same_headers(validators: dict[str, str]) -> None:
    response = document(**validators)
    assert response.status_code == 304
    assert response.body == b""
    assert response.headers["ETag"] == '"abc"'
    assert response.headers["Last-Modified"] == "Tue, 24 Nov 2026 11:21:30 GMT"


def test_if_none_match_decides_alone_when_sent() -> None:
    response = document(if_none_match='"old"', if_modified_since="Tue, 24 Nov 2026 11:21:30 GMT")
    assert response.status_code == 200
