"""Conditional GETs: the body with its ETag, or 304 without a body when the client has it."""

from __future__ import annotations

import httpx
import pytest

from app.http.conditional import respond
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
