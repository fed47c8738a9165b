"""Builds the process's long-lived resources, for the app's lifespan, the worker and the CLI.

One place makes the database, the AWS clients, Redis and the policy, and closes them again, so
the API, the job worker and the command line run on the same wiring and the same settings.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from app.platform.authz import ENTRYPOINT, Authorizer
from app.platform.aws import secrets
from app.platform.aws.clients import AwsClients
from app.platform.cache import store, tracking
from app.platform.cache.reads import Cache
from app.platform.checkpoints import Checkpoint
from app.platform.db.lazy import LazyDatabase
from app.platform.outbox.relay import Relay
from app.platform.ratelimit.limiter import Clock
from app.platform.ratelimit.policy import RateLimits
from app.platform.resources import Resources
from app.settings import Settings

if TYPE_CHECKING:
    from app.platform.authz.opa import OpaPolicy


def load_policy(settings: Settings) -> OpaPolicy:
    # Imported here: only running resources need wasmtime (about 20 ms of imports), so building
    # the app without running it, as many tests do, does without it.
    from app.platform.authz import opa

    return opa.load(
        settings.opa_bundle_path, cache_dir=settings.opa_cache_dir, require=[ENTRYPOINT]
    )


@asynccontextmanager
async def open_resources(
    settings: Settings, *, checkpoint: Checkpoint | None = None, clock: Clock = time.time
) -> AsyncIterator[Resources]:
    """The resources for these settings, with secrets read from their stores; closed on exit.

    A checkpoint is for tests of races only (app/platform/checkpoints.py). The rate limits count
    their windows on `clock`.
    """
    policy = await asyncio.to_thread(load_policy, settings)
    aws = AwsClients(settings)
    try:
        reader = secrets.SecretReader(aws, ttl_seconds=settings.secrets_cache_ttl_seconds)
        resolved = await secrets.resolve(settings, reader)
        aws.settings = resolved
        database = LazyDatabase(resolved)
        database.checkpoint = checkpoint
        client = store.connect(resolved)
        # The L1's tracking connection is the store's: closed with it.
        redis = store.Store(
            client,
            retry_after_seconds=resolved.redis_retry_after_seconds,
            local=tracking.open_tracking(resolved, client),
        )
        cache = Cache(redis, resolved, checkpoint=checkpoint)
        relay = Relay(database=database, aws=aws, cache=cache, settings=resolved)
        database.dispatch = relay.dispatch
        try:
            yield Resources(
                settings=resolved,
                database=database,
                authorizer=Authorizer(policy),
                cache=cache,
                rate_limits=RateLimits(redis, resolved, clock=clock),
                aws=aws,
                outbox=relay,
            )
        finally:
            await relay.close()
            await redis.close()
            await database.dispose()
    finally:
        await asyncio.to_thread(aws.close)
