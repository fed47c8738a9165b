"""Builds the app: its routes, middleware and the lifespan that makes the long-lived clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from app.authz import Authorizer
from app.aws import secrets
from app.aws.clients import AwsClients
from app.cache import store
from app.cache.fastpath import CachedReadMiddleware
from app.cache.reads import Cache
from app.core import emails, envelope, openapi
from app.core.logging import configure_logging
from app.core.metrics import MetricsEmitter
from app.core.middleware import BodyLimitMiddleware, TraceMiddleware
from app.core.state import AppState, LifespanState
from app.db.lazy import LazyDatabase
from app.ratelimit.policy import RateLimits
from app.settings import Settings, get_settings
from generated.main import include_routers

if TYPE_CHECKING:
    from app.authz.wasm import WasmPolicy


def load_policy(settings: Settings) -> WasmPolicy:
    # Imported here: only the lifespan needs wasmtime (about 20 ms of imports), so building the
    # app without running it, as many tests do, does without it.
    from app.authz.wasm import WasmPolicy

    return WasmPolicy.load(settings.opa_bundle_path, cache_dir=settings.opa_cache_dir)


def build_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    emails.accept_special_use_domains()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[LifespanState]:
        policy = await asyncio.to_thread(load_policy, settings)
        aws = AwsClients(settings)
        try:
            reader = secrets.SecretReader(aws, ttl_seconds=settings.secrets_cache_ttl_seconds)
            resolved = await secrets.resolve(settings, reader)
            database = LazyDatabase(resolved)
            redis = store.Store(
                store.connect(resolved), retry_after_seconds=resolved.redis_retry_after_seconds
            )
            try:
                yield {
                    "app_state": AppState(
                        settings=resolved,
                        database=database,
                        authorizer=Authorizer(policy),
                        cache=Cache(redis, resolved),
                        rate_limits=RateLimits(redis, resolved),
                        aws=aws,
                    )
                }
            finally:
                await redis.close()
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
    # Outside the body limit: a cached read has no body, and a hit skips every layer it can.
    app.add_middleware(CachedReadMiddleware)
    metrics = MetricsEmitter(namespace=settings.metrics_namespace)
    app.add_middleware(TraceMiddleware, metrics=metrics if settings.metrics_enabled else None)
    return app
