from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.http.docs import (
    ASSETS,
    REDOC_POLICY,
    SWAGGER_UI_POLICY,
    VENDOR,
    asset_url,
    content_security_policy,
)
from app.main import create_app
from app.settings import Settings
from tests.helpers import assert_error

ROOT = Path(__file__).resolve().parents[2]
PAGES = {"/docs": SWAGGER_UI_POLICY, "/redoc": REDOC_POLICY}


class Resources(HTMLParser):
    """What a page loads: each script and stylesheet's URL and integrity, and inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: dict[str, str | None] = {}
        self.inline_scripts = 0
        self._in_script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get("src") if tag == "script" else values.get("href")
        if tag in ("script", "link") and url is not None:
            self.loaded[url] = values.get("integrity")
        self._in_script_without_src = tag == "script" and url is None

    def handle_data(self, data: str) -> None:
        if self._in_script_without_src and data.strip():
            self.inline_scripts += 1


def resources(html: str) -> Resources:
    parser = Resources()
    parser.feed(html)
    return parser


def sri(body: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


@pytest.mark.parametrize("path", sorted(PAGES))
class TestPages:
    async def test_load_only_this_servers_files_with_their_hashes(
        self, client: httpx.AsyncClient, path: str
    ) -> None:
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert 'data-openapi-url="/openapi.json"' in response.text
        page = resources(response.text)
        assert page.inline_scripts == 0
        assert page.loaded
        for url, integrity in page.loaded.items():
            assert url.startswith("/docs/assets/"), url
            asset = await client.get(url)
            assert asset.status_code == 200, url
            if url.endswith((".js", ".css")):
                # Subresource Integrity: the browser runs only the bytes the page was made with.
                assert integrity == sri(asset.content), url

    async def test_carry_a_policy_of_self_only(self, client: httpx.AsyncClient, path: str) -> None:
        headers = (await client.get(path)).headers
        policy = headers["Content-Security-Policy"]
        assert policy == content_security_policy(PAGES[path])
        assert "default-src 'none'" in policy
        assert "script-src 'self';" in policy
        assert "unsafe" not in policy
        assert "http" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["Cache-Control"] == "no-cache"


class TestAssets:
    @pytest.mark.parametrize("name", sorted(ASSETS))
    async def test_are_immutable_under_a_url_that_names_their_bytes(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        path, media_type = ASSETS[name]
        response = await client.get(asset_url(name))
        assert response.status_code == 200
        assert response.content == path.read_bytes()
        assert response.headers["Content-Type"] == media_type
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert (
            hashlib.sha384(response.content).hexdigest().startswith(asset_url(name).split("/")[3])
        )

    async def test_head_sends_no_body(self, client: httpx.AsyncClient) -> None:
        response = await client.head(asset_url("redoc-init.js"))
        assert response.status_code == 200
        assert response.content == b""
        assert response.headers["Content-Length"] == str(ASSETS["redoc-init.js"][0].stat().st_size)

    @pytest.mark.parametrize(
        "url",
        [
            # Another version of a file: immutable URLs never answer with different bytes.
            "/docs/assets/0000000000000000/swagger-init.js",
            # Files next to the served ones, and ways out of the folder.
            "/docs/assets/{version}/LICENSE",
            "/docs/assets/{version}/package.json",
            "/docs/assets/{version}/..%2F..%2Fopenapi.py",
            "/docs/assets/{version}/vendor%2Fredoc%2FLICENSE",
        ],
    )
    async def test_anything_else_is_not_found(self, client: httpx.AsyncClient, url: str) -> None:
        version = asset_url("swagger-init.js").split("/")[3]
        assert_error(await client.get(url.format(version=version)), 404, "NOT_FOUND")


class TestVendored:
    @pytest.mark.parametrize("package", ["swagger-ui-dist", "redoc"])
    def test_is_the_version_package_json_pins(self, package: str) -> None:
        pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"][package]
        vendored = json.loads((VENDOR / package / "package.json").read_text())
        assert vendored["name"] == package
        assert vendored["version"] == pinned

    def test_every_served_file_exists(self) -> None:
        assert all(path.is_file() for path, _ in ASSETS.values())


@pytest.fixture
async def docs_off_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"docs_enabled": False}))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


async def test_none_is_served_when_docs_are_off(docs_off_client: httpx.AsyncClient) -> None:
    for url in ("/docs", "/redoc", asset_url("swagger-ui-bundle.js")):
        assert_error(await docs_off_client.get(url), 404, "NOT_FOUND")


async def test_other_answers_keep_their_headers(client: httpx.AsyncClient) -> None:
    for url in ("/openapi.json", "/health"):
        assert "Content-Security-Policy" not in (await client.get(url)).headers
