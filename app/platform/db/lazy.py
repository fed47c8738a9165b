"""The app's database, made by the first unit of work that needs it.

Importing SQLAlchemy and the driver and building the engine is about 0.2 s of a cold start, and
the readiness check and cached reads never touch the database (app/http/lazy.py). The first
transaction pays for it, with the import in a worker thread and the collector paused
(app/platform/heap.py); the lifespan still disposes of it.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import uuid
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

from app.platform import heap
from app.settings import Settings

if TYPE_CHECKING:
    from app.platform.checkpoints import Checkpoint
    from app.platform.db.database import Database, Dispatch
    from app.platform.db.unit_of_work import UnitOfWork

T = TypeVar("T")
LAYER = "app.platform.db.database"


def _import_layer() -> ModuleType:
    if (loaded := sys.modules.get(LAYER)) is not None:
        return loaded
    with heap.lasting():
        return importlib.import_module(LAYER)


class LazyDatabase:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._database: Database | None = None
        self._lock = asyncio.Lock()
        # Given to the database when it is made: who delivers a committed unit's outbox rows.
        self.dispatch: Dispatch | None = None
        # Given to the database too: what its units of work await at their racing points.
        self.checkpoint: Checkpoint | None = None

    async def database(self) -> Database:
        if self._database is None:
            async with self._lock:
                if self._database is None:
                    module = await asyncio.to_thread(_import_layer)
                    database: Database = module.Database(self.settings)
                    database.dispatch = self.dispatch
                    database.checkpoint = self.checkpoint
                    self._database = database
        return self._database

    async def transaction(
        self, work: Callable[[UnitOfWork], Awaitable[T]], *, request_id: uuid.UUID | None = None
    ) -> T:
        """Database.transaction: one retried transaction, owned by the infrastructure."""
        database = await self.database()
        return await database.transaction(work, request_id=request_id)

    async def dispose(self) -> None:
        if self._database is not None:
            await self._database.dispose()
