"""Builds the app: its routes, middleware and the lifespan that opens the process's resources."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.bootstrap import open_resources
from app.http import envelope, idempotency, openapi
from app.http.fastpath import CachedReadMiddleware
from app.http.methods import AllowedMethods, MethodsMiddleware
from app.http.metrics import MetricsEmitter
from app.http.middleware import (
    BodyLimitMiddleware,
    ClientAddressMiddleware,
    SecurityHeadersMiddleware,
    TraceMiddleware,
)
from app.http.state import LifespanState
from app.platform import emails
from app.platform.checkpoints import Checkpoint
from app.platform.logging import configure_logging
from app.platform.ratelimit.limiter import Clock
from app.settings import Settings, get_settings
from generated.main import contract_routes
from generated.operations import ALLOWED_METHODS


def build_app(
    settings: Settings | None = None,
    *,
    checkpoint: Checkpoint | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    emails.accept_special_use_domains()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[LifespanState]:
        async with open_resources(
            settings, checkpoint=checkpoint, clock=clock or time.time
        ) as resources:
            yield {"resources": resources}

    app = FastAPI(
        title="Blog API",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    # The generated routes themselves, not their routers: an included router builds every
    # route of it a second time on the first request that passes through it, /health's too.
    app.router.routes.extend(contract_routes())
    allowed = AllowedMethods(ALLOWED_METHODS)
    envelope.install(app, allowed=allowed)
    openapi.install(app, settings.spec_path, docs=settings.serves_docs)
    # Innermost: it stores an Idempotency-Key's answer exactly as the routes sent it.
    idempotency.install(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    # Outside the body limit: a cached read has no body, and a hit skips every layer it can.
    app.add_middleware(CachedReadMiddleware, routes=contract_routes())
    # Outside the fast path, which serves HEAD as GET: it drops every HEAD body, whoever sent
    # it, and answers OPTIONS before anything else runs.
    app.add_middleware(MethodsMiddleware, allowed=allowed)
    # Outside the fast path and every replay, so each answer gets them, however it was made.
    app.add_middleware(SecurityHeadersMiddleware)
    # Before anything reads the client address: the rate limits, the Idempotency-Key scope.
    app.add_middleware(ClientAddressMiddleware, trusted=settings.trusted_proxies())
    metrics = MetricsEmitter(namespace=settings.metrics_namespace)
    app.add_middleware(TraceMiddleware, metrics=metrics if settings.metrics_enabled else None)
    return app
