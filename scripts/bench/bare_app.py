"""The cold-start baseline: FastAPI answering /health with the app's body, and nothing else.

Kept apart from scripts/bench/cold_start.py so that serving it imports nothing but FastAPI.
`create_app_with_libraries` is the same app once it has imported the libraries the design names
that the app loads before its first /health: what no work of the app's own can take off its
start.
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI

# Redis' client (the design's `redis`, for the cache, the rate limits and the sessions), the
# policy's wasm runtime, and the settings' library.
NAMED_LIBRARIES = ("redis.asyncio", "wasmtime", "pydantic_settings")


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def create_app_with_libraries() -> FastAPI:
    for name in NAMED_LIBRARIES:
        importlib.import_module(name)
    return create_app()
