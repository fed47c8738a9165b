from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.platform.db import database as database_module
from app.platform.db.database import Database
from app.settings import Settings
from tests.fixtures.database import TEST_PEPPER, migrate


@pytest.fixture
async def db(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Database]:
    """A Database that retries at most three times, without waiting between attempts."""
    monkeypatch.setattr(database_module, "backoff_seconds", lambda attempt: 0.0)
    database = Database(settings.model_copy(update={"transaction_max_attempts": 3}))
    yield database
    await database.dispose()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database of this test's own, as `make run` uses."""
    url = f"sqlite+aiosqlite:///{tmp_path}/t.db"
    await asyncio.to_thread(migrate, url)
    database = Database(Settings(database_url=url, token_pepper=TEST_PEPPER))
    yield database
    await database.dispose()
