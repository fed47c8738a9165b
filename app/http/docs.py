"""The contract rendered: Swagger UI at /docs, Redoc at /redoc, from assets served here.

The files under docs_assets/vendor/ are the pinned npm packages' own (package.json): `make
docs-assets` copies them and `make gen-check` fails when they differ. They are committed because
the image has no Node, and served from here so that the pages load nothing from anywhere else,
which their Content-Security-Policy enforces. Each asset's URL names a hash of its bytes, so a
browser may keep it for a year; the small pages that name them are fetched again each time.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
from collections.abc import Awaitable, Callable
from html import escape
from pathlib import Path

import msgspec
from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse

ASSETS_DIR = Path(__file__).with_name("docs_assets")
VENDOR = ASSETS_DIR / "vendor"
ASSETS_PATH = "/docs/assets"
_JS = "text/javascript; charset=utf-8"

# What the pages load, by the name in its URL. Nothing else under docs_assets/ is served.
ASSETS = {
    "swagger-ui-bundle.js": (VENDOR / "swagger-ui-dist" / "swagger-ui-bundle.js", _JS),
    "swagger-ui.css": (VENDOR / "swagger-ui-dist" / "swagger-ui.css", "text/css; charset=utf-8"),
    "favicon-32x32.png": (VENDOR / "swagger-ui-dist" / "favicon-32x32.png", "image/png"),
    "swagger-init.js": (ASSETS_DIR / "swagger-init.js", _JS),
    "redoc.standalone.js": (VENDOR / "redoc" / "bundles" / "redoc.standalone.js", _JS),
    "redoc-init.js": (ASSETS_DIR / "redoc-init.js", _JS),
}

_BASE_POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
}
SWAGGER_UI_POLICY = _BASE_POLICY
# Redoc's bundle inserts two <style> elements that 'self' alone blocks: styled-components' (empty,
# filled through the CSS object model) and perfect-scrollbar's; each is allowed by its hash. Its
# search index runs in a worker made from a blob: URL, which only its own script can create.
# tests/http/test_docs_browser.py fails on any other violation, e.g. after an upgrade.
REDOC_POLICY = _BASE_POLICY | {
    "style-src": "'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=' "
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    "worker-src": "blob:",
}
IMMUTABLE = "public, max-age=31536000, immutable"


def content_security_policy(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


class Fingerprint(msgspec.Struct, frozen=True):
    version: str  # the URL segment: changes whenever the bytes do
    integrity: str  # Subresource Integrity, so a page runs only the bytes it was made with


@functools.cache
def fingerprint(name: str) -> Fingerprint:
    digest = hashlib.sha384(ASSETS[name][0].read_bytes()).digest()
    return Fingerprint(digest.hex()[:16], "sha384-" + base64.b64encode(digest).decode())


def asset_url(name: str) -> str:
    return f"{ASSETS_PATH}/{fingerprint(name).version}/{name}"


def _script(name: str) -> str:
    return f'<script src="{asset_url(name)}" integrity="{fingerprint(name).integrity}"></script>'


def _page(title: str, head: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _favicon() -> str:
    return f'<link rel="icon" type="image/png" href="{asset_url("favicon-32x32.png")}">\n'


def swagger_ui_page(openapi_url: str, title: str) -> str:
    css, integrity = asset_url("swagger-ui.css"), fingerprint("swagger-ui.css").integrity
    styles = f'<link rel="stylesheet" href="{css}" integrity="{integrity}">\n'
    root = f'<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>\n'
    scripts = f"{_script('swagger-ui-bundle.js')}\n{_script('swagger-init.js')}\n"
    return _page(title, _favicon() + styles, root + scripts)


def redoc_page(openapi_url: str, title: str) -> str:
    root = f'<div id="redoc" data-openapi-url="{escape(openapi_url)}"></div>\n'
    scripts = f"{_script('redoc.standalone.js')}\n{_script('redoc-init.js')}\n"
    return _page(title, _favicon(), root + scripts)


def _page_endpoint(
    render: Callable[[str, str], str], policy: dict[str, str], openapi_url: str, title: str
) -> Callable[[Request], Awaitable[HTMLResponse]]:
    headers = {
        "Content-Security-Policy": content_security_policy(policy),
        # Cached, a page would name assets that a new release no longer serves.
        "Cache-Control": "no-cache",
    }
    html: list[str] = []

    async def page(_: Request) -> HTMLResponse:
        if not html:
            # The first one hashes every asset it names: megabytes, so off the event loop.
            html.append(await asyncio.to_thread(render, openapi_url, title))
        return HTMLResponse(html[0], headers=headers)

    return page


async def _asset(request: Request) -> FileResponse:
    name, version = request.path_params["name"], request.path_params["version"]
    if name not in ASSETS or (await asyncio.to_thread(fingerprint, name)).version != version:
        raise HTTPException(status_code=404)
    path, media_type = ASSETS[name]
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": IMMUTABLE})


def install(app: FastAPI, *, openapi_url: str, title: str) -> None:
    """/docs, /redoc and the assets they load; GET (and so HEAD) only."""
    for path, render, policy in (
        ("/docs", swagger_ui_page, SWAGGER_UI_POLICY),
        ("/redoc", redoc_page, REDOC_POLICY),
    ):
        endpoint = _page_endpoint(render, policy, openapi_url, title)
        app.add_route(path, endpoint, methods=["GET"], include_in_schema=False)
    app.add_route(
        f"{ASSETS_PATH}/{{version}}/{{name}}", _asset, methods=["GET"], include_in_schema=False
    )
