"""Serves the source contract itself: FastAPI's re-derived document would drift from it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse


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


def install(app: FastAPI, spec_path: Path, *, docs: bool = True) -> None:
    """/openapi.json always (clients and the contract tests read it); /docs only with docs."""
    cache: dict[str, Any] = {}

    async def openapi_json(_: Request) -> JSONResponse:
        if "document" not in cache:
            cache["document"] = await asyncio.to_thread(load_contract, spec_path)
        return JSONResponse(cache["document"])

    async def swagger_ui(_: Request) -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Blog API")

    # GET (and so HEAD) only: without methods, Starlette's routes answer every method.
    app.add_route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False)
    if docs:
        app.add_route("/docs", swagger_ui, methods=["GET"], include_in_schema=False)
