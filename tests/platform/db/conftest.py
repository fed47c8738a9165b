from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.platform.db import database as database_module
from app.platform.db.database import Database
from app.settings import Settings


@pytest.fixture
async def db(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    """A Database that retries at most three times, without waiting between attempts."""
    monkeypatch.setattr(database_module, "backoff_seconds", lambda attempt: 0.0)
    database = Database(settings.model_copy(update={"transaction_max_attempts": 3}))
    yield database
    await database.dispose()
