"""The cold-start baseline: FastAPI answering /health with the app's body, and nothing else.

Kept apart from scripts/bench/cold_start.py so that serving it imports nothing but FastAPI.
"""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
