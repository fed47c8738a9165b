"""The app factory: `uvicorn --factory app.main:create_app`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.authz import Authorizer
from app.authz.wasm import WasmPolicy
from app.aws import secrets
from app.aws.clients import AwsClients
from app.core import emails, envelope, openapi
from app.core.logging import configure_logging
from app.core.middleware import BodyLimitMiddleware, TraceMiddleware
from app.core.state import AppState, LifespanState
from app.db.database import Database
from app.settings import Settings, get_settings
from generated.main import include_routers


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    emails.accept_special_use_domains()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[LifespanState]:
        policy = await asyncio.to_thread(
            WasmPolicy.load, settings.opa_bundle_path, cache_dir=settings.opa_cache_dir
        )
        aws = AwsClients(settings)
        try:
            reader = secrets.SecretReader(aws, ttl_seconds=settings.secrets_cache_ttl_seconds)
            resolved = await secrets.resolve(settings, reader)
            database = Database(resolved)
            try:
                yield {
                    "app_state": AppState(
                        settings=resolved, database=database, authorizer=Authorizer(policy), aws=aws
                    )
                }
            finally:
                await database.dispose()
        finally:
            await asyncio.to_thread(aws.close)

    app = FastAPI(
        title="Blog API",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    include_routers(app)
    envelope.install(app)
    openapi.install(app, settings.spec_path)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(TraceMiddleware)
    return app
