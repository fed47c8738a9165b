from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
import yaml

from app.http.openapi import represent

ROOT = Path(__file__).resolve().parents[2]


def source() -> object:
    return yaml.safe_load((ROOT / "spec" / "openapi.yaml").read_text())


class TestRepresentation:
    def test_the_etag_is_a_strong_hash_of_the_body(self) -> None:
        current = represent({"openapi": "3.1.0", "info": {"title": "é"}})
        assert current.etag == f'"{hashlib.sha256(current.body).hexdigest()}"'
        assert "é".encode() in current.body

    def test_a_change_anywhere_changes_the_etag(self) -> None:
        before = represent({"info": {"version": "1.0.0"}})
        assert represent({"info": {"version": "1.0.1"}}).etag != before.etag


class TestServedDocument:
    async def test_is_the_source_with_a_strong_etag(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/openapi.json")
        assert response.status_code == 200
        assert response.json() == source()
        assert response.headers["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
        assert response.headers["Cache-Control"] == "no-cache"

    async def test_servers_are_relative_to_where_it_is_served(
        self, client: httpx.AsyncClient
    ) -> None:
        # Swagger UI's "Try it out" and generated clients then call the origin that served it.
        servers = (await client.get("/openapi.json")).json()["servers"]
        assert [server["url"] for server in servers] == ["/"]

    @pytest.mark.parametrize("method", ["GET", "HEAD"])
    async def test_a_matching_if_none_match_answers_304(
        self, client: httpx.AsyncClient, method: str
    ) -> None:
        etag = (await client.get("/openapi.json")).headers["ETag"]
        for value in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            response = await client.request(
                method, "/openapi.json", headers={"If-None-Match": value}
            )
            assert response.status_code == 304, value
            assert response.content == b""
            assert response.headers["ETag"] == etag

    async def test_another_etag_gets_the_document(self, client: httpx.AsyncClient) -> None:
        etag = (await client.get("/openapi.json")).headers["ETag"]
        stale = etag[:-2] + ('0"' if etag[-2] != "0" else '1"')
        response = await client.get("/openapi.json", headers={"If-None-Match": stale})
        assert response.status_code == 200
        assert response.json() == source()

    async def test_head_has_the_headers_of_get_without_the_body(
        self, client: httpx.AsyncClient
    ) -> None:
        get = await client.get("/openapi.json")
        head = await client.head("/openapi.json")
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["ETag"] == get.headers["ETag"]
        assert head.headers["Content-Length"] == str(len(get.content))

    async def test_takes_no_other_method(self, client: httpx.AsyncClient) -> None:
        assert (await client.post("/openapi.json")).status_code == 405
