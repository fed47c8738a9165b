"""The app factory: `uvicorn --factory app.main:create_app`.

Building the app makes a few hundred thousand objects (FastAPI, SQLAlchemy and Redis modules,
the generated models and routes) that live as long as the process. While they pile up, the
cyclic collector traverses them again and again, about 0.1 s of a cold start, and an early
request would pay for one more full pass. So the collector is paused while the app's modules
are imported and the app is built, and what exists then is frozen out of its reach.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from app.platform.checkpoints import Checkpoint
    from app.platform.ratelimit.limiter import Clock
    from app.settings import Settings


def create_app(
    settings: Settings | None = None,
    *,
    checkpoint: Checkpoint | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The app. A checkpoint (app/platform/checkpoints.py) and a clock for the rate limits are
    for tests only."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        # Imported here so that the imports, most of the objects, are made with it paused.
        from app.factory import build_app

        return build_app(settings, checkpoint=checkpoint, clock=clock)
    finally:
        # Only the process's first app: a test process builds many, and freezing each time
        # would keep the garbage of the ones before it.
        if gc.get_freeze_count() == 0:
            gc.freeze()
        if collecting:
            gc.enable()
