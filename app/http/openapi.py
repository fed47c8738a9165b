"""Serves the source contract itself: FastAPI's re-derived document would drift from it."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import msgspec
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from app.http.conditional import matches
from app.http.docs import install as install_docs

OPENAPI_URL = "/openapi.json"
# Clients may keep the document, asking each time whether it changed (ETag, 304).
_CACHE_CONTROL = "no-cache"


def load_contract(path: Path) -> dict[str, Any]:
    # Imported here: only the first request for the document needs a YAML parser.
    import yaml

    try:
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover - libyaml is in the wheels we pin
        from yaml import SafeLoader as Loader  # type: ignore[assignment]

    with path.open("rb") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=Loader)
    return document


class Representation(msgspec.Struct, frozen=True):
    body: bytes
    etag: str  # strong: a hash of exactly these bytes


def represent(document: dict[str, Any]) -> Representation:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    return Representation(body, f'"{hashlib.sha256(body).hexdigest()}"')


def install(app: FastAPI, spec_path: Path, *, docs: bool = True) -> None:
    """/openapi.json always (clients and the contract tests read it); /docs and /redoc only
    with docs."""
    cache: dict[str, Representation] = {}

    async def openapi_json(request: Request) -> Response:
        if "document" not in cache:
            document = await asyncio.to_thread(load_contract, spec_path)
            cache["document"] = represent(document)
        current = cache["document"]
        headers = {"ETag": current.etag, "Cache-Control": _CACHE_CONTROL}
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None and matches(current.etag, if_none_match):
            return Response(status_code=304, headers=headers)
        return Response(current.body, media_type="application/json", headers=headers)

    # GET (and so HEAD) only: without methods, Starlette's routes answer every method.
    app.add_route(OPENAPI_URL, openapi_json, methods=["GET"], include_in_schema=False)
    if docs:
        install_docs(app, openapi_url=OPENAPI_URL, title="Blog API")
